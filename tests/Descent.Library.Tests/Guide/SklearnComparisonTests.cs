using System.Diagnostics;
using System.Globalization;
using Descent.Data;

namespace Descent.Library.Tests.Guide;

/// <summary>
/// The guide's iris and breast-cancer programs score within 0.02 of scikit-learn on the same split: the split's rows are
/// written out and scikit-learn fits the same model on them with /usr/bin/python3 — StandardScaler fit on the training rows,
/// then <c>MLPClassifier</c> with the guide's hidden layer (ReLU, Adam, <c>random_state=0</c>). Measured once on 2026-12-03
/// (python3-sklearn 1.2.1): iris 0.9556 for both (45 test rows; LogisticRegression 0.9778), breast cancer 0.9765 for both
/// (170 test rows; LogisticRegression 0.9882). Skipped, with the reason, without python3 and scikit-learn.
/// </summary>
[Collection(GlobalRng.Collection)]
public class SklearnComparisonTests
{
    [SklearnPythonFact]
    public void IrisMatchesScikitLearn()
    {
        new GuideTests().HandWrittenLoop();
        double sklearn = SklearnAccuracy("iris.csv", hidden: 16);
        Assert.True(Math.Abs(Library.IrisAccuracy - sklearn) <= 0.02, $"iris: Descent {Library.IrisAccuracy:F4}, scikit-learn {sklearn:F4}");
    }

    [SklearnPythonFact]
    public void BreastCancerMatchesScikitLearn()
    {
        new GuideTests().WithTheTrainer();
        double sklearn = SklearnAccuracy("breast_cancer.csv", hidden: 32);
        Assert.True(Math.Abs(Library.CancerAccuracy - sklearn) <= 0.02, $"breast cancer: Descent {Library.CancerAccuracy:F4}, scikit-learn {sklearn:F4}");
    }

    /// <summary>scikit-learn's test accuracy on the guide's split of a bundled CSV (the split made as the guide makes it).</summary>
    private static double SklearnAccuracy(string file, int hidden)
    {
        var data = Csv.Load(SklearnData.File(file), new CsvOptions { SkipLines = 1, Header = false });
        var (train, test) = Split.TrainTest(data, testFraction: 0.3, seed: 0);
        string dir = Directory.CreateTempSubdirectory("descent-sklearn-").FullName;
        try
        {
            Write(Path.Combine(dir, "train.csv"), train);
            Write(Path.Combine(dir, "test.csv"), test);
            const string script = """
                import sys, numpy as np
                from sklearn.preprocessing import StandardScaler
                from sklearn.neural_network import MLPClassifier
                tr = np.loadtxt(sys.argv[1] + "/train.csv", delimiter=","); te = np.loadtxt(sys.argv[1] + "/test.csv", delimiter=",")
                s = StandardScaler().fit(tr[:, :-1])
                m = MLPClassifier((int(sys.argv[2]),), random_state=0, max_iter=3000).fit(s.transform(tr[:, :-1]), tr[:, -1])
                print(m.score(s.transform(te[:, :-1]), te[:, -1]))
                """;
            var psi = new ProcessStartInfo(SklearnPythonFactAttribute.Python, ["-c", script, dir, hidden.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"python3 failed: {stderr}");
            return double.Parse(stdout.Trim(), CultureInfo.InvariantCulture);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static void Write(string path, Dataset d)
    {
        using var w = new StreamWriter(path);
        for (int i = 0; i < d.Count; i++)
            w.WriteLine(string.Join(",", d.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "," + d.Labels[i]);
    }
}

/// <summary>A fact that needs scikit-learn's CSVs and /usr/bin/python3 with numpy and sklearn: Skipped, with the reason, without them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SklearnPythonFactAttribute : FactAttribute
{
    /// <summary>The interpreter.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Skips the test unless python3 imports sklearn and the CSVs are there.</summary>
    public SklearnPythonFactAttribute()
    {
        if (!File.Exists(SklearnData.File("iris.csv"))) { Skip = $"needs scikit-learn's bundled CSVs in {SklearnData.Folder}"; return; }
        if (!File.Exists(Python)) { Skip = $"needs {Python}"; return; }
        var psi = new ProcessStartInfo(Python, ["-c", "import numpy, sklearn.neural_network"]) { RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Skip = $"needs {Python} with numpy and scikit-learn";
    }
}
