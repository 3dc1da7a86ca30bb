namespace Descent.Plotting;

/// <summary>Colours: a qualitative palette for series (Tableau 10) and a sequential ramp for contour levels.</summary>
internal static class Palette
{
    private static readonly string[] Series =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>The colour of series number <paramref name="i"/> (cycles after ten).</summary>
    public static string Color(int i) => Series[((i % Series.Length) + Series.Length) % Series.Length];

    /// <summary>A blue-to-yellow ramp (viridis-like) at t ∈ [0, 1].</summary>
    public static string Ramp(double t)
    {
        t = Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1);
        (double R, double G, double B)[] stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];
        double s = t * (stops.Length - 1);
        int i = Math.Min((int)s, stops.Length - 2);
        double f = s - i;
        int r = (int)Math.Round(stops[i].R + f * (stops[i + 1].R - stops[i].R));
        int g = (int)Math.Round(stops[i].G + f * (stops[i + 1].G - stops[i].G));
        int b = (int)Math.Round(stops[i].B + f * (stops[i + 1].B - stops[i].B));
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
