namespace Descent.Plotting;

/// <summary>How an <see cref="ImageGrid"/> maps values to colours.</summary>
internal enum ImageScale
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
internal sealed class ImageGrid
{
    private readonly List<(float[] Pixels, int H, int W, string Label, string? Color, string? Heading)> _cells = [];
    private string? _heading;

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

    /// <summary>Starts a new row under a heading line (e.g. "Shirt → T-shirt/top: 188 test images"); the next cells fill it.</summary>
    public ImageGrid Row(string heading)
    {
        _heading = heading;
        return this;
    }

    /// <summary>Adds an image of <paramref name="h"/>×<paramref name="w"/> values (row-major) with a caption; <paramref name="labelColor"/> colours the caption.</summary>
    public ImageGrid Add(ReadOnlySpan<float> pixels, int h, int w, string label, string? labelColor = null)
    {
        if (h < 1 || w < 1 || pixels.Length != h * w)
            throw new ArgumentException($"ImageGrid: an image of {h}×{w} needs {h * w} values, got {pixels.Length}.");
        _cells.Add((pixels.ToArray(), h, w, label, labelColor, _heading));
        _heading = null;
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        const double gap = 8, labelHeight = 16, headingHeight = 18, top = 44;
        int columns = Math.Max(1, Math.Min(Columns, _cells.Count));
        // Layout: a cell goes to the next column, or starts a row when the row is full or the cell has a heading.
        var place = new (double X, double Y)[_cells.Count];
        var headings = new List<(double Y, string Text)>();
        double y = top, next = top;
        int column = columns;
        for (int i = 0; i < _cells.Count; i++)
        {
            if (column == columns || _cells[i].Heading is not null)
            {
                y = next;
                if (_cells[i].Heading is { } text) { headings.Add((y + 12, text)); y += headingHeight; }
                next = y + Cell + labelHeight + gap;
                column = 0;
            }
            place[i] = (gap + column * (Cell + gap), y);
            column++;
        }
        double height = (_cells.Count == 0 ? top : y + Cell + labelHeight) + gap;
        double width = new[] { columns * (Cell + gap) + gap, Svg.TextWidth(Title, 15) * 1.1 + 2 * gap, Svg.TextWidth(Subtitle, 11) + 2 * gap }
            .Concat(headings.Select(h => Svg.TextWidth(h.Text, 12) + 2 * gap)).Max();
        var svg = new Svg(width, height);
        svg.Text(gap, 20, Title, 15, weight: "bold");
        if (Subtitle.Length > 0) svg.Text(gap, 36, Subtitle, 11, fill: "#555");
        foreach (var (hy, text) in headings) svg.Text(gap, hy, text, 12, weight: "bold");
        double bound = Scale == ImageScale.Diverging ? _cells.SelectMany(c => c.Pixels).Select(v => Math.Abs((double)v)).Where(double.IsFinite).DefaultIfEmpty(0).Max() : 0;
        svg.Raw("<g shape-rendering=\"crispEdges\">");                      // pixels meet without anti-aliased seams
        for (int i = 0; i < _cells.Count; i++)
        {
            var (pixels, h, w, _, _, _) = _cells[i];
            double px = Cell / Math.Max(h, w);
            double x0 = place[i].X + (Cell - px * w) / 2, y0 = place[i].Y + (Cell - px * h) / 2;
            var (lo, hi) = Scale == ImageScale.Gray ? Range(pixels) : (-bound, bound);
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                    svg.Rect(x0 + c * px, y0 + r * px, px, px, Colour(pixels[r * w + c], lo, hi));
            svg.Rect(x0, y0, px * w, px * h, "none", "#999");
        }
        svg.Raw("</g>");
        for (int i = 0; i < _cells.Count; i++)
            svg.Text(place[i].X + Cell / 2, place[i].Y + Cell + 12, _cells[i].Label, 10, "middle", _cells[i].Color ?? "#222");
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
