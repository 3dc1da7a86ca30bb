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
