using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class DistributionTests
{
    /// <summary>Kolmogorov–Smirnov distance between the samples and U(0, 1).</summary>
    internal static double KsUniform(IEnumerable<double> unitSamples)
    {
        var s = unitSamples.OrderBy(x => x).ToArray();
        double d = 0;
        for (int i = 0; i < s.Length; i++)
            d = Math.Max(d, Math.Max((i + 1.0) / s.Length - s[i], s[i] - (double)i / s.Length));
        return d;
    }

    // Critical value of the one-sample KS test at α = 0.01: 1.628/√n.
    private static double Critical(int n) => 1.628 / Math.Sqrt(n);

    [Fact]
    public void LogUniformIsUniformInLogSpace()
    {
        var d = new LogUniformDistribution(1e-5, 1);
        var rng = new Rng(1);
        const int n = 4000;
        var logs = Enumerable.Range(0, n).Select(_ => (double)d.Sample(rng)).ToList();
        Assert.All(logs, x => Assert.InRange(x, 1e-5, 1));
        double ks = KsUniform(logs.Select(x => (Math.Log10(x) + 5) / 5));
        Assert.True(ks < Critical(n), $"KS distance of log10 α from U(-5, 0) is {ks:F4} ≥ {Critical(n):F4}");
        // The same samples are far from uniform on the linear scale (most mass near 0).
        Assert.True(KsUniform(logs) > 10 * Critical(n));
        // Each decade gets about a fifth of the samples.
        for (int k = -5; k < 0; k++)
            Assert.InRange(logs.Count(x => x >= Math.Pow(10, k) && x < Math.Pow(10, k + 1)) / (double)n, 0.17, 0.23);
    }

    [Fact]
    public void OneMinusLogUniformIsUniformInLogOfOneMinusBeta()
    {
        var d = new OneMinusLogUniformDistribution(0.9, 0.999);
        var rng = new Rng(2);
        const int n = 4000;
        var betas = Enumerable.Range(0, n).Select(_ => (double)d.Sample(rng)).ToList();
        Assert.All(betas, b => Assert.InRange(b, 0.9, 0.999));
        double ks = KsUniform(betas.Select(b => (Math.Log10(1 - b) + 1) / -2));
        Assert.True(ks < Critical(n), $"KS distance {ks:F4}");
        // 0.9 → 0.99 gets as many samples as 0.99 → 0.999.
        Assert.InRange(betas.Count(b => b < 0.99) / (double)n, 0.46, 0.54);
    }

    [Fact]
    public void IntCoversEveryValueAndLogIntFavoursSmallValues()
    {
        var rng = new Rng(3);
        var d = new IntDistribution(1, 6);
        var counts = new int[7];
        for (int i = 0; i < 6000; i++) counts[(long)d.Sample(rng)]++;
        for (int v = 1; v <= 6; v++) Assert.InRange(counts[v], 850, 1150);
        var log = new IntDistribution(16, 1024, log: true);
        var xs = Enumerable.Range(0, 3000).Select(_ => (long)log.Sample(rng)).ToList();
        Assert.All(xs, x => Assert.InRange(x, 16, 1024));
        Assert.InRange(xs.Count(x => x < 128) / 3000.0, 0.44, 0.56); // 16→128 is half of 16→1024 in log space
    }

    [Fact]
    public void CategoricalChoicesAreEquallyLikelyAndNumbersCompareByValue()
    {
        var d = new CategoricalDistribution([32.0, 64.0, "adam"]);
        var rng = new Rng(4);
        var counts = Enumerable.Range(0, 3000).Select(_ => d.Sample(rng)).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 900, 1100));
        Assert.Equal(1, d.IndexOf(64L));
        Assert.Equal(2, d.IndexOf("adam"));
        var e = Assert.Throws<ArgumentException>(() => d.IndexOf("sgd"));
        Assert.Contains("'sgd'", e.Message);
    }

    [Fact]
    public void UnitCoordinateRoundTrips()
    {
        Distribution[] ds = [new UniformDistribution(-2, 3), new LogUniformDistribution(1e-4, 10), new OneMinusLogUniformDistribution(0.5, 0.999)];
        foreach (var d in ds)
            foreach (var u in new[] { 0.0, 0.25, 0.5, 0.9, 1.0 })
                Assert.Equal(u, d.ToUnit(d.FromUnit(u)), 12);
    }

    [Fact]
    public void BadRangesNameTheValues()
    {
        var e = Assert.Throws<ArgumentException>(() => new LogUniformDistribution(0, 1));
        Assert.Contains("low > 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new OneMinusLogUniformDistribution(0.9, 1));
        Assert.Contains("high < 1", e.Message);
        Assert.Throws<ArgumentException>(() => new UniformDistribution(2, 1));
    }
}
