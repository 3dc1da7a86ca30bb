using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary>The commands with a convolutional network, on the small synthetic images (bars): train, bench cnn, lab filters, tune.</summary>
public class CnnCommandTests
{
    [Fact]
    public void TrainCnnThenEvaluateAndPredictFromItsCheckpoint()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-cnn-" + Guid.NewGuid().ToString("N"));
        try
        {
            string ck = Path.Combine(dir, "ck");
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "bars:n=512", "--model", "cnn:4,8,fc=16", "--epochs", "4", "--batch-size", "32", "--lr", "0.003", "--out", ck, "--json", "--db", Path.Combine(dir, "runs.db"));
            Assert.True(exit == 0, stderr);
            var d = JsonDocument.Parse(stdout).RootElement;
            Assert.True(d.GetProperty("test_accuracy").GetDouble() > 0.8, stdout);
            var (exit2, out2, err2) = CliRunner.Run("evaluate", "--checkpoint", ck, "--json");
            Assert.True(exit2 == 0, $"exit {exit2}: {err2} {out2}");
            Assert.Equal(d.GetProperty("test_accuracy").GetDouble(), JsonDocument.Parse(out2).RootElement.GetProperty("test_accuracy").GetDouble());
            Assert.Equal("cross-entropy:label_smoothing=0.1", JsonDocument.Parse(out2).RootElement.GetProperty("loss").GetString());   // the CNN's recipe
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A CNN trains with its recipe (AdamW at a constant rate, label smoothing, the weights' moving average, 15 epochs)
    /// where the command line leaves a setting at its default; each setting given wins, and an MLP keeps the plain defaults.
    /// </summary>
    [Theory]
    [InlineData(new string[0], "adamw:lr=0.001,weight_decay=0.05", "cross-entropy:label_smoothing=0.1", 15, "constant", 0.999)]
    [InlineData(new[] { "--epochs", "2" }, "adamw:lr=0.001,weight_decay=0.05", "cross-entropy:label_smoothing=0.1", 2, "constant", 0.999)]
    [InlineData(new[] { "--optimizer", "sgd:lr=0.1", "--epochs", "1" }, "sgd:lr=0.1", "cross-entropy:label_smoothing=0.1", 1, "constant", 0.999)]
    [InlineData(new[] { "--label-smoothing", "0", "--epochs", "1" }, "adamw:lr=0.001,weight_decay=0.05", "cross-entropy:label_smoothing=0", 1, "constant", 0.999)]
    [InlineData(new[] { "--loss", "cross-entropy", "--lr", "0.01", "--epochs", "1" }, "adamw:lr=0.01,weight_decay=0.05", "cross-entropy", 1, "constant", 0.999)]
    [InlineData(new[] { "--schedule", "cosine", "--ema", "0", "--epochs", "1" }, "adamw:lr=0.001,weight_decay=0.05", "cross-entropy:label_smoothing=0.1", 1, "cosine", 0.0)]
    public void CnnTrainsWithItsRecipeWhereNothingIsGiven(string[] given, string optimizer, string loss, int epochs, string schedule, double ema)
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-recipe-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] args = ["train", "--data", "bars:n=128", "--model", "cnn:4,8,fc=16", "--json", "--out", Path.Combine(dir, "ck"), "--db", Path.Combine(dir, "runs.db"), .. given];
            var (exit, stdout, stderr) = CliRunner.Run(args);
            Assert.True(exit == 0, stderr);
            var config = JsonDocument.Parse(stdout).RootElement.GetProperty("config");
            Assert.Equal(optimizer, config.GetProperty("optimizer").GetString());
            Assert.Equal(loss, config.GetProperty("loss").GetString() ?? "cross-entropy");
            Assert.Equal(epochs, config.GetProperty("epochs").GetInt32());
            Assert.Equal(schedule, config.GetProperty("schedule").GetString());
            Assert.Equal(ema, config.GetProperty("ema").GetDouble());
            var (exitMlp, mlpOut, mlpErr) = CliRunner.Run("train", "--data", "bars:n=128", "--epochs", "1", "--json", "--out", Path.Combine(dir, "mlp"), "--db", Path.Combine(dir, "runs.db"));
            Assert.True(exitMlp == 0, mlpErr);
            var mlp = JsonDocument.Parse(mlpOut).RootElement.GetProperty("config");
            Assert.Equal("adam:lr=0.001", mlp.GetProperty("optimizer").GetString());
            Assert.Equal(JsonValueKind.Null, mlp.GetProperty("loss").ValueKind);
            Assert.Equal("cosine", mlp.GetProperty("schedule").GetString());
            Assert.Equal(0, mlp.GetProperty("ema").GetDouble());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void BenchCnnJsonHasEveryFigure()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "cnn", "--data", "bars:n=256", "--model", "cnn:4,8,fc=16", "--epochs", "1", "--json");
        Assert.True(exit == 0, stderr);
        var d = JsonDocument.Parse(stdout).RootElement;
        foreach (var key in new[] { "train_samples_per_s", "best_epoch_seconds", "test_accuracy", "peak_rss_mb", "inference_latency_us", "start_to_first_step_s" })
            Assert.True(d.GetProperty(key).GetDouble() > 0, key);
        Assert.Equal("cnn:4,8,fc=16", d.GetProperty("model").GetString());
        Assert.StartsWith("captured and replayed", d.GetProperty("step_path").GetString());
    }

    [Fact]
    public void LabFiltersDrawsFiltersMapsAndConfusions()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-filters-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("lab", "filters", "--data", "bars:n=512", "--model", "cnn:8,8,fc=16", "--epochs", "2", "--json", "--out", dir);
            Assert.True(exit == 0, stderr);
            var root = JsonDocument.Parse(stdout).RootElement;
            var r = root.GetProperty("result");
            Assert.Equal(4, r.GetProperty("per_class_accuracy").GetArrayLength());
            Assert.Equal(2, r.GetProperty("feature_maps").GetArrayLength());               // after each block's ReLU
            Assert.Equal(8, r.GetProperty("trained").GetProperty("count").GetInt32());
            var files = root.GetProperty("figures").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!)).ToList();
            foreach (var name in new[] { "filters-initial.svg", "filters-trained.svg", "filters-example.svg", "filters-maps-1.svg", "filters-maps-2.svg", "filters-per-class.svg", "filters-confused.svg" })
                Assert.Contains(name, files);
            string svg = File.ReadAllText(Path.Combine(dir, "filters-trained.svg"));
            Assert.Equal(8 * 9, svg.Split("<rect").Length - 1 - 1 - 8);                   // 8 filters of 3×3 pixels, the background, a frame per filter
            Assert.Contains("filters-trained.svg", File.ReadAllText(Path.Combine(dir, "index.html")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void LabFiltersOnAnMlpIsOneLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-filters-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, _, stderr) = CliRunner.Run("lab", "filters", "--data", "bars:n=256", "--model", "mlp:8", "--epochs", "1", "--out", dir);
            Assert.Equal(1, exit);
            Assert.Contains("has no convolution; use a CNN, e.g. --model cnn", stderr);
            Assert.Single(stderr.Trim().Split('\n'));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
