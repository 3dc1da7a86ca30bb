namespace Descent;

/// <summary>Special functions .NET lacks, in double precision.</summary>
internal static class SpecialFunctions
{
    /// <summary>
    /// The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. For |x| &lt; 3 the all-positive series
    /// erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation); beyond, 1 − erfc(x)
    /// with erfc from its continued fraction (Lentz's method). Accurate to a few ulps.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        double r;
        if (ax < 3.0)
        {
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= 2.0 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            r = 1.1283791670955125739 * Math.Exp(-x2) * sum;
        }
        else
        {
            r = ax > 6.0 ? 1.0 : 1.0 - Erfc(ax);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>erfc(x) = 1 − erf(x) for x ≥ 3 by the continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))).</summary>
    private static double Erfc(double x)
    {
        // Modified Lentz for K = x + a1/(x + a2/(x + ...)), a_n = n/2.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 300; n++)
        {
            double an = n * 0.5;
            d = x + an * d; if (d == 0) d = tiny; d = 1 / d;
            c = x + an / c; if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / (f * 1.7724538509055160273);
    }
}
