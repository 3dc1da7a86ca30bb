using System.Globalization;

namespace Descent.Cli.Rendering;

/// <summary>
/// How the command line writes numbers, one way for each kind: metrics (loss, accuracy) fixed to 4 decimals;
/// learning rates and other small settings in scientific form with 3 decimals (<c>1.000e-03</c>, <c>9.549e-05</c>),
/// so a column of them lines up; counts and rates per second with thousands separators.
/// </summary>
internal static class Numbers
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A metric: "0.3121", "NaN", "∞".</summary>
    public static string Format(double v) => double.IsFinite(v) ? v.ToString("F4", Inv) : Special(v);

    /// <summary>A learning rate or another setting that spans decades: "1.000e-03".</summary>
    public static string Rate(double v) => v == 0 ? "0" : double.IsFinite(v) ? v.ToString("0.000e+00", Inv) : Special(v);

    /// <summary>A count or a throughput: "61,234".</summary>
    public static string Count(double v) => double.IsFinite(v) ? v.ToString("N0", Inv) : Special(v);

    /// <summary>"1 epoch", "3 epochs".</summary>
    public static string Plural(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(Inv)} {noun}s";

    private static string Special(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "∞" : "-∞";
}
