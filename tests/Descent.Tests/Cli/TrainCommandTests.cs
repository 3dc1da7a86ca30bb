using System.Text.Json;

namespace Descent.Tests.Cli;

public class TrainCommandTests
{
    [Fact]
    public void JsonRunOnSyntheticDataRecordsAndCheckpoints()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-train-" + Guid.NewGuid().ToString("N"));
        try
        {
            var db = Path.Combine(dir, "runs.db");
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "xor", "--hidden", "8", "--epochs", "3", "--db", db, "--json");
            Assert.True(exit == 0, stderr);
            var doc = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(3, doc.GetProperty("epochs").GetArrayLength());
            Assert.InRange(doc.GetProperty("test_accuracy").GetDouble(), 0, 1);
            long id = doc.GetProperty("run_id").GetInt64();
            var ck = doc.GetProperty("checkpoint").GetString()!;
            Assert.True(File.Exists(Path.Combine(ck, "model.safetensors")));
            var (e2, show, _) = CliRunner.Run("runs", "show", id.ToString(), "--db", db, "--json");
            Assert.Equal(0, e2);
            Assert.Contains("finished", show);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CsvRegressionReportsRmseAndR2AndEvaluateRebuildsTheModel()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-regression-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            var csv = Path.Combine(dir, "plane.csv");
            var rng = new Rng(5);
            File.WriteAllLines(csv, ["a,b,y", .. Enumerable.Range(0, 400).Select(_ =>
            {
                double a = rng.Uniform(-1, 1), b = rng.Uniform(-1, 1);
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a},{b},{2 * a - b}");
            })]);
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", csv, "--target", "y", "--loss", "mse", "--model", "linear:32 tanh linear",
                "--optimizer", "adam:lr=0.01", "--batch-size", "16", "--epochs", "15", "--db", Path.Combine(dir, "runs.db"), "--json");
            Assert.True(exit == 0, stderr);
            var doc = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("linear:32 tanh linear", doc.GetProperty("model").GetString());
            Assert.Equal(JsonValueKind.Null, doc.GetProperty("test_accuracy").ValueKind);
            double r2 = doc.GetProperty("test_r2").GetDouble();
            Assert.True(r2 > 0.95, $"R² {r2}");
            Assert.True(doc.GetProperty("epochs")[14].GetProperty("train_rmse").GetDouble() < doc.GetProperty("epochs")[0].GetProperty("train_rmse").GetDouble());
            var (e2, evaluated, err2) = CliRunner.Run("evaluate", "--checkpoint", doc.GetProperty("checkpoint").GetString()!, "--json");
            Assert.True(e2 == 0, err2);
            Assert.Equal(r2, JsonDocument.Parse(evaluated).RootElement.GetProperty("test_r2").GetDouble());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("--model", "mlp:abc")]
    [InlineData("--model", "mlp:256,act=nope")]
    [InlineData("--model", "linear:8 relu")]
    [InlineData("--loss", "foo")]
    [InlineData("--loss", "cross-entropy:label_smoothing=2")]
    [InlineData("--activation", "swish")]
    [InlineData("--optimizer", "adamm")]
    [InlineData("--init", "hee")]
    [InlineData("--data", "cifar")]
    [InlineData("--hidden", "12,x")]
    [InlineData("--batch-size", "0")]
    public void UnknownOptionValueIsExitOneWithOneLine(string option, string value)
    {
        var (exit, _, stderr) = CliRunner.Run("train", option, value, "--data", option == "--data" ? value : "xor", "--epochs", "1", "--db", Path.Combine(Path.GetTempPath(), "descent-bad-" + Guid.NewGuid().ToString("N") + ".db"));
        Assert.Equal(1, exit);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
