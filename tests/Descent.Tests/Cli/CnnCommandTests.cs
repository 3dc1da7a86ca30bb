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
            Assert.Equal("cross-entropy", JsonDocument.Parse(out2).RootElement.GetProperty("loss").GetString());
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
