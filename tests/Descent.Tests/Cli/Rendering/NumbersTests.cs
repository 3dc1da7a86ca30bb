using Descent.Cli.Rendering;
using Descent.Tuning;

namespace Descent.Tests.Cli.Rendering;

public class NumbersTests
{
    [Fact]
    public void EachKindOfNumberHasOneFormat()
    {
        Assert.Equal("0.3121", Numbers.Format(0.31214));
        Assert.Equal("NaN", Numbers.Format(double.NaN));
        Assert.Equal("1.000e-03", Numbers.Rate(1e-3));
        Assert.Equal("9.549e-05", Numbers.Rate(9.549e-05));
        Assert.Equal("61,235", Numbers.Count(61234.6));
        Assert.Equal("1 epoch", Numbers.Plural(1, "epoch"));
        Assert.Equal("3 epochs", Numbers.Plural(3, "epoch"));
        // Tuned parameter values: written out, or in the same lower-case scientific form — never "9.549E-05".
        Assert.Equal("0.002566", SearchSpace.FormatValue(0.002566));
        Assert.Equal("9.549e-05", SearchSpace.FormatValue(9.549e-05));
    }

    [Fact]
    public void OneEpochIsSingularInTheRunHeader()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-one-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--db", Path.Combine(dir, "r.db"), "--out", Path.Combine(dir, "ck"));
            Assert.True(exit == 0, stderr);
            Assert.Contains("· 1 epoch ·", stdout.Replace("\n", " "));
            Assert.DoesNotContain("1 epochs", stdout);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
