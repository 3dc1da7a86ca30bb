// readme:usings begin
using Descent.Data;
using Descent.Nn;
using Descent.Optim;
using Descent.Serialization;
using Descent.Training;
// readme:usings end
using System.Runtime.CompilerServices;

namespace Descent.Library.Tests;

/// <summary>The README's library example is this file's two <c>// readme:</c> regions (the usings, then the program),
/// run on scikit-learn's iris.csv copied into a temporary folder.</summary>
[Collection(GlobalRng.Collection)]
public class ReadmeExampleTests
{
    [SklearnFact]
    public void TheReadmeExampleRunsAndSavesTheModel()
    {
        string dir = Directory.CreateTempSubdirectory("descent-readme-").FullName;
        string previous = Environment.CurrentDirectory;
        try
        {
            File.Copy(SklearnData.File("iris.csv"), Path.Combine(dir, "iris.csv"));
            Environment.CurrentDirectory = dir;
            // readme:program begin
            var iris = Csv.Load("iris.csv", new CsvOptions { SkipLines = 1, Header = false });   // scikit-learn's bundled CSV
            var (train, test) = Split.TrainTest(iris, testFraction: 0.3, seed: 0);
            var scaler = Normalizer.Fit(train);                                   // fit on the training rows only
            (train, test) = (scaler.Transform(train), scaler.Transform(test));

            var model = Mlp.Create(inputs: 4, hidden: [16], outputs: 3, rng: new Rng(0));
            var trainer = new Trainer(model, new Adam(model.Parameters, lr: 0.01), options: new TrainerOptions { Epochs = 100 });
            trainer.Fit(new DataLoader(train, batchSize: 16, seed: 0));

            var evaluation = Evaluator.Evaluate(model, test);
            Console.WriteLine($"test accuracy {evaluation.Accuracy:F3}");            // 0.956
            Safetensors.Write("iris.safetensors", model.StateDict());               // PyTorch loads it with strict=True
            // readme:program end
            Assert.True(evaluation.Accuracy > 0.9, $"accuracy {evaluation.Accuracy}");
            Assert.True(File.Exists(Path.Combine(dir, "iris.safetensors")));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheReadmeShowsThisProgram()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).Replace("\r", "");
        var section = readme[readme.IndexOf("## As a library", StringComparison.Ordinal)..];
        var block = section.Split("```csharp\n")[1].Split("```")[0];
        var lines = File.ReadAllLines(ThisFile());
        string Region(string name) => string.Join("\n", lines[(Array.FindIndex(lines, l => l.Trim() == $"// readme:{name} begin") + 1)..Array.FindIndex(lines, l => l.Trim() == $"// readme:{name} end")]);
        Assert.Equal(Normalize("using Descent;\n" + Region("usings") + "\n" + Region("program")), Normalize(block));
    }

    private static string Normalize(string s) => string.Join("\n", s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string RepoRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
}
