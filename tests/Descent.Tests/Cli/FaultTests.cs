using System.Globalization;
using System.Text.Json;
using Descent.Data;
using Descent.Tests.Data;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>
/// Issue 17's faults, each as a user meets it: an expected fault is one line on stderr and exit 1 (under <c>--json</c>:
/// <c>{"error": …}</c> on stdout and nothing else); a stack trace only for a bug.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private string Db => _tmp.File("runs.db");

    public void Dispose() => _tmp.Dispose();

    /// <summary>Asserts the one-line fault: exit 1, one line on stderr starting "descent: ", no .NET type names or trace.</summary>
    internal static string AssertOneLine((int Exit, string Out, string Err) r)
    {
        Assert.True(r.Exit == 1, $"exit {r.Exit}; stderr: {r.Err}");
        var lines = r.Err.Trim().Split('\n');
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + r.Err);
        Assert.StartsWith("descent: ", lines[0]);
        Assert.DoesNotContain("System.", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Description:", r.Out + r.Err);
        return lines[0];
    }

    /// <summary>A CSV of two features and a label column with the given labels, 40 rows each, separable.</summary>
    private string Csv(string name, params string[] labels)
    {
        var lines = new List<string> { "x,y,label" };
        var rng = new Rng(7);
        for (int i = 0; i < 40 * labels.Length; i++)
        {
            int c = i % labels.Length;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{c + 0.3 * rng.NextDouble()},{rng.NextDouble()},{labels[c]}"));
        }
        File.WriteAllLines(_tmp.File(name), lines);
        return _tmp.File(name);
    }

    private string Train(string data, params string[] more)
    {
        string outDir = _tmp.File("ck-" + Guid.NewGuid().ToString("N")[..8]);
        var r = CliRunner.Run(["train", "--data", data, "--hidden", "8", "--epochs", "2", "--batch-size", "16", "--db", Db, "--out", outDir, "--json", .. more]);
        Assert.True(r.Exit == 0, r.Out + r.Err);
        return outDir;
    }

    [Fact]
    public void Float64TrainsWithValidationAndEvaluates()
    {
        string ck = Train("xor", "--dtype", "float64", "--validation", "0.2");
        var r = CliRunner.Run("evaluate", "--checkpoint", ck, "--json");
        Assert.True(r.Exit == 0, r.Err);
        Assert.InRange(JsonDocument.Parse(r.Out).RootElement.GetProperty("test_accuracy").GetDouble(), 0, 1);
    }

    [Fact]
    public void PredictScoresCsvLabelsByTheModelsClassNames()
    {
        string ck = Train("csv:" + Csv("train.csv", "0", "1", "2"));
        var same = CliRunner.Run("predict", "--checkpoint", ck, "--input", _tmp.File("train.csv"), "--label", "label", "--json");
        Assert.True(same.Exit == 0, same.Err);
        // The same rows labelled 5, 6, 7 are not classes of the model: an error, not the same score in silence.
        var shifted = AssertOneLine(CliRunner.Run("predict", "--checkpoint", ck, "--input", Csv("shifted.csv", "5", "6", "7"), "--label", "label"));
        Assert.Contains("shifted.csv:2: label '5' is not one of the 3 classes [0, 1, 2]", shifted);
        Assert.Contains("label 'cat'", AssertOneLine(CliRunner.Run("predict", "--checkpoint", ck, "--input", Csv("cats.csv", "cat"), "--label", "label")));
        // A file holding only class 2 is scored against class 2 (index 2), not renumbered to class 0.
        var only2 = CliRunner.Run("predict", "--checkpoint", ck, "--input", Csv("only2.csv", "2"), "--label", "label", "--json");
        Assert.True(only2.Exit == 0, only2.Err);
        var preds = JsonDocument.Parse(only2.Out).RootElement.GetProperty("predictions");
        Assert.All(preds.EnumerateArray(), p => Assert.Equal(2, p.GetProperty("label").GetInt32()));
    }

    [Fact]
    public void AnEmptyCsvLabelIsAnErrorWithItsLine()
    {
        string path = Csv("train.csv", "a", "b", "c");
        File.AppendAllText(path, "0.5,0.3,\n");
        var line = AssertOneLine(CliRunner.Run("train", "--data", "csv:" + path, "--epochs", "1", "--db", Db));
        Assert.Contains("train.csv:122: the label (column 3, 'label') is empty", line);
    }

    [Fact]
    public void AOneClassCsvIsRefused() =>
        Assert.Contains("at least two classes", AssertOneLine(CliRunner.Run("train", "--data", "csv:" + Csv("one.csv", "cat"), "--epochs", "1", "--db", Db)));

    [Fact]
    public void AHugeLearningRateReportsTheDivergence()
    {
        var line = AssertOneLine(CliRunner.Run("train", "--data", "xor", "--hidden", "8", "--epochs", "2", "--lr", "1e20", "--db", Db, "--out", _tmp.File("big")));
        Assert.Contains("diverged", line);
    }

    [Theory]
    [InlineData("--lr", "abc", "--lr: expected a number (e.g. 0.001 or 1e-3), got 'abc'")]
    [InlineData("--epochs", "2.5", "--epochs: expected a whole number (e.g. 10), got '2.5'")]
    [InlineData("--seed", "-1", "--seed: expected a whole number ≥ 0 (e.g. 42), got '-1'")]
    [InlineData("--nope", "1", "Unrecognized command or argument '--nope'")]
    public void AParseErrorIsOneLineNamingOptionValueAndExpectation(string option, string value, string expected)
    {
        var line = AssertOneLine(CliRunner.Run("train", "--data", "xor", option, value, "--db", Db));
        Assert.Contains(expected, line);
        Assert.Contains("see 'descent train --help'", line);
        var json = CliRunner.Run("train", "--data", "xor", option, value, "--db", Db, "--json");
        Assert.Equal(1, json.Exit);
        Assert.Equal("", json.Err);
        var doc = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(JsonValueKind.Object, doc.ValueKind);
        Assert.Contains(expected, doc.GetProperty("error").GetString());
        Assert.Single(doc.EnumerateObject());
    }

    [Fact]
    public void ADatabaseThatIsNotOneIsOneLine()
    {
        File.WriteAllText(Db, "these are my notes, not a database\n");
        Assert.Contains("is not a SQLite database", AssertOneLine(CliRunner.Run("train", "--data", "xor", "--epochs", "1", "--db", Db)));
        Assert.Contains("is not a SQLite database", AssertOneLine(CliRunner.Run("runs", "list", "--db", Db)));
        var json = CliRunner.Run("runs", "list", "--db", Db, "--json");
        Assert.Equal(1, json.Exit);
        Assert.Contains("not a SQLite database", JsonDocument.Parse(json.Out).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void AnOutThatIsAFileIsOneLine()
    {
        File.WriteAllText(_tmp.File("file"), "x");
        AssertOneLine(CliRunner.Run("train", "--data", "xor", "--hidden", "8", "--epochs", "1", "--db", Db, "--out", _tmp.File("file")));
        Assert.Equal("x", File.ReadAllText(_tmp.File("file")));
    }

    [Theory]
    [InlineData("--lr", "0", "--lr: expected a finite number > 0, got 0")]
    [InlineData("--optimizer", "sgd:momentum=2", "momentum must be in [0, 1), got 2")]
    [InlineData("--batch-size", "5000", "--batch-size 5000 is larger than the training split (1000 examples)")]
    [InlineData("--label-smoothing", "2", "label_smoothing=2; expected a value in [0, 1]")]
    public void ASettingThatCannotTrainIsRefusedBeforeTheRunIsRecorded(string option, string value, string expected)
    {
        Assert.Contains(expected, AssertOneLine(CliRunner.Run("train", "--data", "xor", option, value, "--epochs", "1", "--db", Db)));
        var runs = CliRunner.Run("runs", "list", "--db", Db, "--json");
        Assert.Equal(0, JsonDocument.Parse(runs.Out).RootElement.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public void EvaluateRefusesNaNWeights()
    {
        string ck = Train("xor");
        var job = TrainingJob.Resume(ck);
        job.Model.Parameters[0].Fill(double.NaN);
        job.SaveCheckpoint(ck);
        var line = AssertOneLine(CliRunner.Run("evaluate", "--checkpoint", ck));
        Assert.Contains("holds", line);
        Assert.Contains("NaN", line);
        AssertOneLine(CliRunner.Run("predict", "--checkpoint", ck, "--input", Csv("p.csv", "0", "1")));
    }

    [Fact]
    public void EvaluateAndPredictDoNotNeedTheOptimizerState()
    {
        string ck = Train("csv:" + Csv("train.csv", "a", "b"));
        File.Delete(Path.Combine(ck, "optimizer.safetensors"));
        var ev = CliRunner.Run("evaluate", "--checkpoint", ck, "--json");
        Assert.True(ev.Exit == 0, ev.Err);
        var pr = CliRunner.Run("predict", "--checkpoint", ck, "--input", _tmp.File("train.csv"), "--label", "label", "--json");
        Assert.True(pr.Exit == 0, pr.Err);
        Assert.True(JsonDocument.Parse(pr.Out).RootElement.GetProperty("accuracy").GetDouble() > 0.9);
    }

    [Fact]
    public void PredictRefusesImagesOfAnotherSize()
    {
        // A tiny MNIST folder of 28×28 images, then 14×56 images with as many pixels.
        string dir = _tmp.File("mnist");
        Directory.CreateDirectory(dir);
        var rng = new Rng(3);
        foreach (var (name, n) in new[] { ("train", 64), ("t10k", 16) })
        {
            var pixels = new byte[n * 784];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
            Idx.WriteBytes(Path.Combine(dir, $"{name}-images-idx3-ubyte"), pixels, [n, 28, 28]);
            Idx.WriteBytes(Path.Combine(dir, $"{name}-labels-idx1-ubyte"), Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray(), [n]);
        }
        string ck = Train("mnist:" + dir);
        Idx.WriteBytes(_tmp.File("wide.idx"), new byte[3 * 784], [3, 14, 56]);
        var line = AssertOneLine(CliRunner.Run("predict", "--checkpoint", ck, "--input", _tmp.File("wide.idx")));
        Assert.Contains("the examples are [14, 56]", line);
        Idx.WriteBytes(_tmp.File("ok.idx"), new byte[3 * 784], [3, 28, 28]);
        Assert.Equal(0, CliRunner.Run("predict", "--checkpoint", ck, "--input", _tmp.File("ok.idx"), "--json").Exit);
    }

    [Fact]
    public void OnlyABugIsLeftWithoutALine()
    {
        Assert.Null(Descent.Cli.Faults.Describe(new NullReferenceException("x")));
        Assert.Null(Descent.Cli.Faults.Describe(new InvalidOperationException("x")));
        Assert.Contains("disk is full", Descent.Cli.Faults.Describe(new IOException("No space left on device : '/x'")));
        Assert.Contains("permission denied", Descent.Cli.Faults.Describe(new UnauthorizedAccessException("Access to the path '/x' is denied.")));
        Assert.Contains("diverged", Descent.Cli.Faults.Describe(new AggregateException(new ArgumentException("training diverged"))));
        // A NULL where SQLite's reader wants a value (a damaged database) is a clear line; the same type elsewhere is a bug.
        using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT NULL";
        using var r = cmd.ExecuteReader();
        r.Read();
        var e = Assert.ThrowsAny<InvalidOperationException>(() => r.GetInt64(0));
        Assert.Contains("damaged record", Descent.Cli.Faults.Describe(e, "runs.db"));
    }
}
