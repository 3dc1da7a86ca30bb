using System.Globalization;

namespace Descent.Plotting;

/// <summary>Linear or base-10 logarithmic axis.</summary>
internal enum AxisScale { Linear, Log }

/// <summary>
/// One axis: a data range mapped onto a pixel range, with "nice" tick values
/// (Heckbert's 1-2-5 rule on a linear axis; powers of ten, or 1-2-5 within decades, on a log axis).
/// </summary>
internal sealed class Axis
{
    /// <summary>Creates an axis over [min, max] (widened when empty; clamped positive on a log axis).</summary>
    public Axis(double min, double max, AxisScale scale = AxisScale.Linear, bool nice = true)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"Axis: range must be finite, got [{min}, {max}].");
        if (min > max) (min, max) = (max, min);
        Scale = scale;
        if (scale == AxisScale.Log)
        {
            if (max <= 0) { min = 1e-3; max = 1; }
            if (min <= 0) min = max / 1e6;
            if (min == max) { min /= 10; max *= 10; }
            if (nice) { min = Math.Pow(10, Math.Floor(Math.Log10(min) + 1e-9)); max = Math.Pow(10, Math.Ceiling(Math.Log10(max) - 1e-9)); }
        }
        else
        {
            if (min == max) { double d = min == 0 ? 1 : Math.Abs(min) * 0.1; min -= d; max += d; }
            if (nice)
            {
                double step = NiceStep((max - min) / 5);
                min = Math.Floor(min / step + 1e-9) * step;
                max = Math.Ceiling(max / step - 1e-9) * step;
            }
        }
        Min = min;
        Max = max;
    }

    /// <summary>Lowest value shown.</summary>
    public double Min { get; }

    /// <summary>Highest value shown.</summary>
    public double Max { get; }

    /// <summary>Linear or logarithmic.</summary>
    public AxisScale Scale { get; }

    /// <summary>Position of <paramref name="v"/> in [0, 1] along the axis (outside for values out of range).</summary>
    public double Fraction(double v) => Scale == AxisScale.Log
        ? (Math.Log10(Math.Max(v, double.Epsilon)) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (v - Min) / (Max - Min);

    /// <summary>Whether <paramref name="v"/> can be drawn on this axis (finite, and positive on a log axis).</summary>
    public bool CanShow(double v) => double.IsFinite(v) && (Scale == AxisScale.Linear || v > 0);

    /// <summary>The 1, 2 or 5 × 10ᵏ closest above <paramref name="raw"/>.</summary>
    public static double NiceStep(double raw)
    {
        if (!(raw > 0)) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    /// <summary>Tick values inside [Min, Max].</summary>
    public IReadOnlyList<double> Ticks(int target = 6)
    {
        var ticks = new List<double>();
        if (Scale == AxisScale.Log)
        {
            int lo = (int)Math.Floor(Math.Log10(Min) + 1e-9), hi = (int)Math.Ceiling(Math.Log10(Max) - 1e-9);
            int decades = hi - lo;
            int every = Math.Max(1, (int)NiceStep(decades / (double)target));
            for (int k = (int)Math.Ceiling(lo / (double)every) * every; k <= hi; k += every) ticks.Add(Math.Pow(10, k));
            if (decades <= 2)
                foreach (int k in Enumerable.Range(lo, decades + 1))
                    foreach (double m in new[] { 2.0, 5.0 })
                        if (m * Math.Pow(10, k) <= Max * (1 + 1e-9)) ticks.Add(m * Math.Pow(10, k));
            ticks.Sort();
            return ticks.Where(t => t >= Min * (1 - 1e-9) && t <= Max * (1 + 1e-9)).ToList();
        }
        double step = NiceStep((Max - Min) / target);
        double start = Math.Ceiling(Min / step - 1e-9) * step;
        for (double t = start; t <= Max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks;
    }

    /// <summary>A short label for a tick value: plain numbers, or 1e-4 style for very small or large ones.</summary>
    public static string Format(double v)
    {
        if (v == 0) return "0";
        double a = Math.Abs(v);
        if (a >= 1e5 || a < 1e-3)
        {
            int e = (int)Math.Floor(Math.Log10(a));
            double m = v / Math.Pow(10, e);
            return Math.Abs(m - Math.Round(m)) < 1e-9
                ? $"{Math.Round(m).ToString(CultureInfo.InvariantCulture)}e{e}"
                : $"{m.ToString("0.#", CultureInfo.InvariantCulture)}e{e}";
        }
        return Math.Round(v, 6).ToString("0.######", CultureInfo.InvariantCulture);
    }
}
