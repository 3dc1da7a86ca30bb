using Descent.Cli.Commands;
using Descent.Kernels;
using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary><c>descent bench gemm</c>'s processor lines and peak: measured, or the override (no timing is asserted).</summary>
public class BenchGemmCommandTests
{
    [Fact]
    public void PrintoutNamesTheProcessorWidthCachesAndMeasuredPeak()
    {
        var (exit, stdout, stderr) = CliRunner.RunAt(200, "bench", "gemm", "--only", "square 128", "--repeats", "1", "--threads", "1");
        Assert.True(exit == 0, stderr);
        string flat = string.Join(" ", stdout.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        Assert.Contains($"processor: {CpuInfo.Current.Describe()}", flat);
        Assert.Contains($"{PeakProbe.Measured.Width}-bit vectors", flat);
        Assert.Contains($"caches {CpuInfo.Current.DescribeCaches()}", flat);
        Assert.Contains("float32 peak (measured):", flat);
        Assert.Contains("worker-pool hand-off", flat);
        Assert.DoesNotContain("225", flat.Split("peak (measured)")[1].Split("GFLOP/s")[0]);
    }

    [Fact]
    public void OverrideWinsOverTheMeasuredPeak()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "gemm", "--json", "--only", "square 128", "--repeats", "1", "--threads", "1", "--peak-per-core", "1000");
        Assert.True(exit == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1000, root.GetProperty("peak_gflops_per_core").GetDouble());
        Assert.Equal("--peak-per-core", root.GetProperty("peak_source").GetString());
        var row = Assert.Single(root.GetProperty("results").EnumerateArray());
        Assert.Equal(100 * row.GetProperty("gflops").GetDouble() / 1000, row.GetProperty("percent_of_peak").GetDouble(), 9);
        Assert.Equal((500.0, 500.0 * Environment.ProcessorCount, Environment.ProcessorCount, "--peak-per-core"), BenchGemmCommand.Peak(1000, "float64"));
    }

    [Fact]
    public void MeasuredPeakIsTheDefaultAndHalvedForFloat64()
    {
        var m = PeakProbe.Measured;
        Assert.Equal((m.OneCore, m.AllCores, m.Cores, "measured"), BenchGemmCommand.Peak(null, "float32"));
        Assert.Equal(m.OneCore / 2, BenchGemmCommand.Peak(null, "float64").One);
        var (exit, stdout, _) = CliRunner.Run("bench", "gemm", "--json", "--only", "dW   (128x128)", "--repeats", "1", "--threads", "1");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("measured", root.GetProperty("peak_source").GetString());
        Assert.Equal(m.OneCore, root.GetProperty("peak_gflops_per_core").GetDouble());
        Assert.Equal(PeakProbe.Measured.Width, root.GetProperty("vector_bits").GetInt32());
        Assert.True(root.GetProperty("l1d_bytes").GetInt64() >= 0);
        Assert.Single(root.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public void PeakOfSomeThreadsIsInProportion()
    {
        Assert.Equal(100, BenchGemmCommand.PeakAt(1, 100, 180, 2));
        Assert.Equal(180, BenchGemmCommand.PeakAt(2, 100, 180, 2));
        Assert.Equal(180, BenchGemmCommand.PeakAt(8, 100, 180, 2));
        Assert.Equal(140, BenchGemmCommand.PeakAt(3, 100, 180, 5));
    }

    [Theory]
    [InlineData("--peak-per-core", "0", "--peak-per-core")]
    [InlineData("--peak-per-core", "-5", "--peak-per-core")]
    [InlineData("--only", "square 7", "matches no shape")]
    public void BadOptionIsExitOneWithOneLine(string option, string value, string expected)
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "gemm", "--repeats", "1", "--threads", "1", option, value);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
