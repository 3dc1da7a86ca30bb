namespace Descent;

/// <summary>
/// Math built from IEEE-754 + − × ÷ and bit manipulation only, so its results are the same on
/// every CPU, operating system and .NET version (the platform's <c>Math.Log</c> may differ in the
/// last bit). Used where reproducibility across machines matters: the random number generator.
/// </summary>
internal static class PortableMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;

    /// <summary>
    /// Natural logarithm for finite x &gt; 0: x = m·2ᵉ with m in [√½, √2), then
    /// ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …), s = (m − 1)/(m + 1), |s| ≤ 0.1716,
    /// summed to s²³ (error below 1 ulp), and ln x = e·ln 2 + ln m with ln 2 split in two parts.
    /// </summary>
    public static double Log(double x)
    {
        if (!(x > 0) || double.IsInfinity(x))
            return x == 0 ? double.NegativeInfinity : (double.IsPositiveInfinity(x) ? x : double.NaN);
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF);
        if (e == 0)
        {   // subnormal: scale up by 2^54
            x *= 18014398509481984.0;
            bits = BitConverter.DoubleToInt64Bits(x);
            e = (int)((bits >> 52) & 0x7FF) - 54;
        }
        e -= 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double series = 1.0 / 23;
        for (int k = 21; k >= 1; k -= 2) series = 1.0 / k + s2 * series;
        double lnM = 2.0 * s * series;
        return e * Ln2Hi + (e * Ln2Lo + lnM);
    }
}
