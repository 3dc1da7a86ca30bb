using Descent.Init;

namespace Descent.Tests.Init;

/// <summary>
/// Each random initializer, 10⁶ draws with a fixed seed: a Kolmogorov–Smirnov test against its distribution
/// (D ≤ 1.95/√n, α = 0.001) and the sample variance within 1% of the formula.
/// </summary>
public class InitDistributionTests
{
    private const int Rows = 500, Cols = 2000;                    // fan_in 2000, fan_out 500, 10⁶ elements

    public static TheoryData<string> Cases => new()
    {
        "normal:0.5,0.01", "uniform:-0.1,0.3", "xavier", "xavier-normal", "xavier:1.6666666666666667", "he", "he:fan_out",
        "he-uniform", "he-uniform:fan_in,0.2", "he:fan_out,0.01", "lecun", "lecun-uniform", "torch",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DrawsFollowTheStatedDistribution(string spec)
    {
        var init = Initializer.Parse(spec);
        var w = init.Initialize(Tensor.Zeros(DType.Float64, Rows, Cols), new Rng(2024, 7));
        var (mean, std, uniform) = Expected(init);
        var x = w.ToArray();

        double m = x.Average();
        double v = x.Sum(a => (a - m) * (a - m)) / (x.Length - 1);
        Assert.True(Math.Abs(v - std * std) <= 0.01 * std * std, $"{spec}: variance {v:R}, formula {std * std:R}");

        Array.Sort(x);
        double d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = uniform
                ? Math.Clamp((x[i] - (mean - Math.Sqrt(3) * std)) / (2 * Math.Sqrt(3) * std), 0, 1)
                : 0.5 * (1 + SpecialFunctions.Erf((x[i] - mean) / (std * Math.Sqrt(2))));
            d = Math.Max(d, Math.Max(Math.Abs((i + 1.0) / x.Length - f), Math.Abs(f - (double)i / x.Length)));
        }
        double critical = 1.95 / Math.Sqrt(x.Length);
        Assert.True(d <= critical, $"{spec}: KS statistic {d:E3} > {critical:E3}");
    }

    /// <summary>Mean, standard deviation and family from the textbook formulas (not from the initializer's own StdFor).</summary>
    private static (double Mean, double Std, bool Uniform) Expected(Initializer init)
    {
        double fi = Cols, fo = Rows;
        return init.ToString() switch
        {
            "normal:0.5,0.01" => (0.5, 0.01, false),
            "uniform:-0.1,0.3" => (0.1, 0.4 / Math.Sqrt(12), true),
            "xavier" => (0, Math.Sqrt(6 / (fi + fo)) / Math.Sqrt(3), true),
            "xavier-normal" => (0, Math.Sqrt(2 / (fi + fo)), false),
            "xavier:1.6666666666666667" => (0, 5.0 / 3 * Math.Sqrt(6 / (fi + fo)) / Math.Sqrt(3), true),
            "he" => (0, Math.Sqrt(2 / fi), false),
            "he:fan_out" => (0, Math.Sqrt(2 / fo), false),
            "he-uniform" => (0, Math.Sqrt(2 / fi), true),
            "he-uniform:fan_in,0.2" => (0, Math.Sqrt(2 / (1 + 0.04) / fi), true),
            "he:fan_out,0.01" => (0, Math.Sqrt(2 / (1 + 1e-4) / fo), false),
            "lecun" => (0, Math.Sqrt(1 / fi), false),
            "lecun-uniform" => (0, Math.Sqrt(1 / fi), true),
            "torch" => (0, 1 / Math.Sqrt(fi) / Math.Sqrt(3), true),
            var s => throw new InvalidOperationException($"no formula for {s}"),
        };
    }

    [Theory]
    [InlineData(4, 6, 1.0)]
    [InlineData(6, 4, 1.0)]
    [InlineData(5, 5, 1.41)]
    public void OrthogonalRowsOrColumnsAreOrthonormalTimesGain(int rows, int cols, double gain)
    {
        var w = new Orthogonal(gain).Initialize(Tensor.Zeros(DType.Float64, rows, cols), new Rng(3));
        bool byRows = rows <= cols;
        int k = byRows ? rows : cols, len = byRows ? cols : rows;
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < len; i++) dot += byRows ? w[a, i] * w[b, i] : w[i, a] * w[i, b];
                Assert.Equal(a == b ? gain * gain : 0, dot, 1e-12);
            }
    }

    /// <summary>The entries of a uniformly random n×n orthogonal matrix are close to N(0, 1/n) for large n.</summary>
    [Fact]
    public void OrthogonalEntriesLookGaussianWithVariance1OverN()
    {
        const int n = 300;
        var x = new Orthogonal().Initialize(Tensor.Zeros(DType.Float64, n, n), new Rng(17)).ToArray();
        Assert.Equal(1.0 / n, x.Average(v => v * v), 1e-15);                   // rows are unit vectors: exact
        Array.Sort(x);
        double d = 0, s = Math.Sqrt(1.0 / n);
        for (int i = 0; i < x.Length; i++)
        {
            double f = 0.5 * (1 + SpecialFunctions.Erf(x[i] / (s * Math.Sqrt(2))));
            d = Math.Max(d, Math.Max(Math.Abs((i + 1.0) / x.Length - f), Math.Abs(f - (double)i / x.Length)));
        }
        Assert.True(d <= 1.95 / Math.Sqrt(x.Length), $"KS statistic {d:E3}");
    }

    [Fact]
    public void SameSeedSameWeightsAndFloat32Works()
    {
        var a = VarianceScaling.HeNormal().Initialize(Tensor.Zeros(30, 20), new Rng(9));
        var b = VarianceScaling.HeNormal().Initialize(Tensor.Zeros(30, 20), new Rng(9));
        Assert.True(a.BitwiseEquals(b));
        Assert.True(new Constant(0.25).Initialize(Tensor.Zeros(3, 2), new Rng(1)).ToArray().All(v => v == 0.25));
        Assert.True(Initializer.Zeros.Initialize(Tensor.Ones(3, 2), new Rng(1)).ToArray().All(v => v == 0));
    }

    [Fact]
    public void BiasUsesTheFansItIsGiven()
    {
        var b = VarianceScaling.TorchDefault().Initialize(Tensor.Zeros(DType.Float64, 10000), new Rng(5), (100, 10));
        Assert.True(b.ToArray().All(v => Math.Abs(v) <= 0.1));
        Assert.True(b.ToArray().Max() > 0.099);
    }
}
