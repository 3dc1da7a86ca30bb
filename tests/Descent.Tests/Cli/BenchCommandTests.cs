using Descent.Kernels;
using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary><c>descent bench gemm</c>: the JSON document and option errors (no timing is asserted).</summary>
public class BenchCommandTests
{
    [Fact]
    public void GemmJsonHasARowPerShapeAndThreadCount()
    {
        var (exit, stdout, _) = CliRunner.Run("bench", "gemm", "--json", "--quick", "--repeats", "1", "--threads", "1");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("gemm", root.GetProperty("benchmark").GetString());
        var rows = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Descent.Cli.Commands.BenchGemmCommand.Shapes(quick: true).Length, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(1, r.GetProperty("threads").GetInt32());
            Assert.True(r.GetProperty("gflops").GetDouble() > 0);
            Assert.True(r.GetProperty("percent_of_peak").GetDouble() > 0);
        });
    }

    [Fact]
    public void BadThreadListIsExitOneWithOneLine()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "gemm", "--threads", "1,zero");
        Assert.Equal(1, exit);
        Assert.Contains("'zero'", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void ThreadSettingComesFromTheEnvironment()
    {
        Assert.Equal(3, Threading.FromEnvironment("3"));
        Assert.Equal(Environment.ProcessorCount, Threading.FromEnvironment(null));
        Assert.Equal(Environment.ProcessorCount, Threading.FromEnvironment("lots"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Threading.MaxThreads = 0);
    }
}

public class BenchMlpCommandTests
{
    [Fact]
    public void JsonHasEveryFigure()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "mlp", "--data", "blobs:n=512", "--epochs", "1", "--json");
        Assert.True(exit == 0, stderr);
        var d = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        foreach (var key in new[] { "train_samples_per_s", "best_epoch_seconds", "test_accuracy", "peak_rss_mb", "inference_latency_us", "start_to_first_step_s" })
            Assert.True(d.GetProperty(key).GetDouble() > 0, key);
        Assert.StartsWith("captured and replayed", d.GetProperty("step_path").GetString());
    }
}
