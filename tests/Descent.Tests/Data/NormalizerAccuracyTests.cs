using Descent.Data;

namespace Descent.Tests.Data;

/// <summary>
/// <see cref="Normalizer.Fit"/> on a million unnormalized rows (features around 10⁴–10⁵, where a float32 running sum
/// is 0.1–3% off): μ and σ within 1e-6 of the float64 two-pass values (issue 17, item 11).
/// </summary>
public class NormalizerAccuracyTests
{
    private const int Rows = 1_000_000, Features = 3;

    private static float[] Unnormalized()
    {
        var x = new float[Rows * Features];
        for (int i = 0; i < Rows; i++)   // feature j: 30000·(j + 1) ± (j + 1), spread evenly
            for (int j = 0; j < Features; j++) x[i * Features + j] = (float)(30_000.0 * (j + 1) + (j + 1) * ((i * 7919L + j) % 2001 - 1000) / 1000.0);
        return x;
    }

    private static (double Mean, double Std) Exact(float[] x, Func<int, bool> take)
    {
        double s = 0, n = 0;
        for (int i = 0; i < x.Length; i++) if (take(i)) { s += x[i]; n++; }
        double mean = s / n, ss = 0;
        for (int i = 0; i < x.Length; i++) if (take(i)) { double d = x[i] - mean; ss += d * d; }
        return (mean, Math.Sqrt(ss / n));
    }

    private static void Near(double expected, double actual, double rel, string what) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");

    [Fact]
    public void PerFeatureStatisticsOfAMillionRows()
    {
        var x = Unnormalized();
        var norm = Normalizer.Fit(new Dataset("big", x, new int[Rows], [Features], ["a"]));
        for (int j = 0; j < Features; j++)
        {
            var (mean, std) = Exact(x, i => i % Features == j);
            Near(mean, norm.Parameters.Mean[j], 1e-9, $"μ[{j}]");
            Near(std, norm.Parameters.Std[j], 1e-6, $"σ[{j}]");
        }
    }

    [Fact]
    public void GlobalStatisticsOfAMillionRows()
    {
        var x = Unnormalized();
        var norm = Normalizer.Fit(new Dataset("big", x, new int[Rows], [Features], ["a"]), NormalizationMode.Global);
        var (mean, std) = Exact(x, _ => true);
        Near(mean, norm.Parameters.Mean[0], 1e-9, "μ");
        Near(std, norm.Parameters.Std[0], 1e-6, "σ");
        // Normalized with those statistics, the data itself has mean 0 and standard deviation 1 (to float32 rounding).
        var t = norm.Transform(new Dataset("big", x, new int[Rows], [Features], ["a"]));
        var tensor = Tensor.From(t.Features, Rows * Features);
        Assert.True(Math.Abs(tensor.Mean().Item()) <= 1e-4, $"mean after {tensor.Mean().Item():R}");
        Near(1, Math.Sqrt(tensor.Var(correction: 0).Item()), 1e-4, "σ after");
    }
}
