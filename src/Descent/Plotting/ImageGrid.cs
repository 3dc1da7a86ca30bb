namespace Descent.Plotting;

/// <summary>How an <see cref="ImageGrid"/> maps values to colours.</summary>
public enum ImageScale
{
    /// <summary>Gray levels from each image's minimum (black) to its maximum (white): pictures and feature maps.</summary>
    Gray,

    /// <summary>
    /// Blue (negative) – white (0) – red (positive), symmetric about 0 with one bound for the whole grid (the largest |v|),
    /// so weights compare across cells: a filter's sign pattern and its strength are both visible.
    /// </summary>
    Diverging,
}

/// <summary>
/// Small images in a grid with a caption under each: a first layer's filters, a layer's feature maps, example pictures.
/// Each pixel is one SVG rectangle (the images are small: 3×3 to 28×28), so the figure stays a plain vector file.
/// </summary>
public sealed class ImageGrid
{
    private readonly List<(float[] Pixels, int H, int W, string Label, string? Color)> _cells = [];

    /// <summary>The figure's heading.</summary>
    public string Title { get; init; } = "";

    /// <summary>A line under the heading (what the colours mean).</summary>
    public string Subtitle { get; init; } = "";

    /// <summary>Cells per row.</summary>
    public int Columns { get; init; } = 8;

    /// <summary>The side of a cell's image in pixels (images are scaled to fit, keeping their aspect).</summary>
    public double Cell { get; init; } = 64;

    /// <summary>The colour mapping.</summary>
    public ImageScale Scale { get; init; } = ImageScale.Gray;

    /// <summary>Number of cells.</summary>
    public int Count => _cells.Count;

    /// <summary>Adds an image of <paramref name="h"/>×<paramref name="w"/> values (row-major) with a caption; <paramref name="labelColor"/> colours the caption.</summary>
    public ImageGrid Add(ReadOnlySpan<float> pixels, int h, int w, string label, string? labelColor = null)
    {
        if (h < 1 || w < 1 || pixels.Length != h * w)
            throw new ArgumentException($"ImageGrid: an image of {h}×{w} needs {h * w} values, got {pixels.Length}.");
        _cells.Add((pixels.ToArray(), h, w, label, labelColor));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        const double gap = 8, labelHeight = 16, top = 44;
        int columns = Math.Max(1, Math.Min(Columns, _cells.Count));
        int rows = Math.Max(1, (_cells.Count + columns - 1) / columns);
        double width = Math.Max(columns * (Cell + gap) + gap, Svg.TextWidth(Title, 15) + 2 * gap);
        var svg = new Svg(width, top + rows * (Cell + labelHeight + gap) + gap);
        svg.Text(gap, 20, Title, 15, weight: "bold");
        if (Subtitle.Length > 0) svg.Text(gap, 36, Subtitle, 11, fill: "#555");
        double bound = Scale == ImageScale.Diverging ? _cells.SelectMany(c => c.Pixels).Select(v => Math.Abs((double)v)).Where(double.IsFinite).DefaultIfEmpty(0).Max() : 0;
        for (int i = 0; i < _cells.Count; i++)
        {
            var (pixels, h, w, label, color) = _cells[i];
            double px = Cell / Math.Max(h, w);
            double x0 = gap + (i % columns) * (Cell + gap) + (Cell - px * w) / 2, y0 = top + (i / columns) * (Cell + labelHeight + gap) + (Cell - px * h) / 2;
            var (lo, hi) = Scale == ImageScale.Gray ? Range(pixels) : (-bound, bound);
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                    svg.Rect(x0 + c * px, y0 + r * px, px + 0.3, px + 0.3, Colour(pixels[r * w + c], lo, hi));   // +0.3: no hairline seams
            svg.Rect(x0, y0, px * w, px * h, "none", "#999");
            double cx = gap + (i % columns) * (Cell + gap) + Cell / 2, cy = top + (i / columns) * (Cell + labelHeight + gap) + Cell + 12;
            svg.Text(cx, cy, label, 10, "middle", color ?? "#222");
        }
        return svg.ToString();
    }

    private static (double Lo, double Hi) Range(float[] pixels)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (float v in pixels)
            if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        return double.IsFinite(lo) ? (lo, hi) : (0, 0);
    }

    private string Colour(float v, double lo, double hi)
    {
        if (!float.IsFinite(v)) return "#ff00ff";
        if (Scale == ImageScale.Gray)
        {
            int g = hi > lo ? (int)Math.Round(255 * (v - lo) / (hi - lo)) : 0;
            return $"#{g:x2}{g:x2}{g:x2}";
        }
        double t = hi > 0 ? Math.Clamp(v / hi, -1, 1) : 0;                     // −1 … 1
        var end = t >= 0 ? (R: 178.0, G: 24.0, B: 43.0) : (R: 33.0, G: 102.0, B: 172.0);   // deep red, deep blue (ColorBrewer RdBu ends)
        double f = Math.Abs(t);
        var (r, gr, b) = (255 + f * (end.R - 255), 255 + f * (end.G - 255), 255 + f * (end.B - 255));
        return $"#{(int)Math.Round(r):x2}{(int)Math.Round(gr):x2}{(int)Math.Round(b):x2}";
    }
}
