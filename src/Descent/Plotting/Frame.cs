namespace Descent.Plotting;

/// <summary>
/// The plotting area of a chart: pixel rectangle, x and y axes, grid, ticks, axis labels, title and legend.
/// Line charts and contour plots draw their data inside it; the legend sits outside, on the right.
/// </summary>
internal sealed class Frame
{
    /// <summary>Font size of tick labels.</summary>
    public const double TickFont = 11;

    /// <summary>Lays out a frame in a drawing of the given size, leaving room on the right for legend entries.</summary>
    public Frame(Svg svg, Axis x, Axis y, string title, string xLabel, string yLabel, IReadOnlyList<string> legendNames, bool legendBelow = false)
        : this(svg, (0, 0, svg.Width, svg.Height), x, y, title, xLabel, yLabel, legendNames, legendBelow)
    {
    }

    /// <summary>Lays out a frame inside the rectangle <paramref name="box"/> of the drawing (one panel of small multiples).</summary>
    public Frame(Svg svg, (double X, double Y, double W, double H) box, Axis x, Axis y, string title, string xLabel, string yLabel,
        IReadOnlyList<string> legendNames, bool legendBelow = false)
    {
        LegendBelow = legendBelow && legendNames.Count > 0;
        Svg = svg;
        Box = box;
        X = x;
        Y = y;
        double yTickWidth = Y.Ticks().Select(t => Svg.TextWidth(Axis.Format(t), TickFont)).DefaultIfEmpty(10).Max();
        double legendWidth = legendNames.Count == 0 || LegendBelow ? 0 : legendNames.Max(n => Svg.TextWidth(n, 12)) + 44;
        Left = box.X + 30 + yTickWidth + (yLabel.Length > 0 ? 6 : 0);
        Top = box.Y + (title.Length > 0 ? 40 : 16);
        Right = box.X + box.W - 16 - legendWidth;
        Bottom = box.Y + box.H - (xLabel.Length > 0 ? 50 : 32) - (LegendBelow ? legendNames.Count * 20 + 14 : 0);
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        ClipId = "clip" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>
    /// Shrinks the plotting area (centred) so one unit of x and one unit of y take the same number of pixels:
    /// circles stay circles on a contour plot.
    /// </summary>
    public void EqualAspect()
    {
        double ux = (Right - Left) / (X.Max - X.Min), uy = (Bottom - Top) / (Y.Max - Y.Min);
        if (ux > uy)
        {
            double w = uy * (X.Max - X.Min), c = (Left + Right) / 2;
            (Left, Right) = (c - w / 2, c + w / 2);
        }
        else
        {
            double h = ux * (Y.Max - Y.Min), c = (Top + Bottom) / 2;
            (Top, Bottom) = (c - h / 2, c + h / 2);
        }
    }

    /// <summary>The rectangle of the drawing this frame lays itself out in.</summary>
    public (double X, double Y, double W, double H) Box { get; }

    /// <summary>The drawing.</summary>
    public Svg Svg { get; }

    /// <summary>Horizontal axis.</summary>
    public Axis X { get; }

    /// <summary>Vertical axis.</summary>
    public Axis Y { get; }

    /// <summary>Pixel bounds of the plotting area.</summary>
    public double Left { get; private set; }

    /// <inheritdoc cref="Left"/>
    public double Top { get; private set; }

    /// <inheritdoc cref="Left"/>
    public double Right { get; private set; }

    /// <inheritdoc cref="Left"/>
    public double Bottom { get; private set; }

    /// <summary>Whether the legend sits under the plot (contour plots keep their width) rather than on the right.</summary>
    public bool LegendBelow { get; }

    /// <summary>Id of the clip path covering the plotting area.</summary>
    public string ClipId { get; }

    private string Title { get; }
    private string XLabel { get; }
    private string YLabel { get; }

    /// <summary>Pixel x of a data value (clamped to a sane range so huge values stay drawable).</summary>
    public double Px(double v) => Math.Clamp(Left + X.Fraction(v) * (Right - Left), -1e5, 1e5);

    /// <summary>Pixel y of a data value.</summary>
    public double Py(double v) => Math.Clamp(Bottom - Y.Fraction(v) * (Bottom - Top), -1e5, 1e5);

    /// <summary>Draws grid, ticks, tick labels, axis labels and title, and declares the clip path.</summary>
    public void DrawAxes(bool grid = true)
    {
        Svg.ClipRect(ClipId, Left, Top, Right - Left, Bottom - Top);
        foreach (double t in X.Ticks())
        {
            double px = Px(t);
            if (grid) Svg.Line(px, Top, px, Bottom, "#e6e6e6");
            Svg.Line(px, Bottom, px, Bottom + 5, "#444");
            Svg.Text(px, Bottom + 18, Axis.Format(t), TickFont, "middle", "#333");
        }
        foreach (double t in Y.Ticks())
        {
            double py = Py(t);
            if (grid) Svg.Line(Left, py, Right, py, "#e6e6e6");
            Svg.Line(Left - 5, py, Left, py, "#444");
            Svg.Text(Left - 8, py + 4, Axis.Format(t), TickFont, "end", "#333");
        }
        Svg.Rect(Left, Top, Right - Left, Bottom - Top, "none", "#444");
        if (Title.Length > 0)
        {
            double size = Math.Min(15, (Box.W - 24) / Math.Max(1, Title.Length * 0.7));
            double half = Title.Length * size * 0.35;
            double cx = Math.Clamp((Left + Right) / 2, Box.X + 10 + half, Math.Max(Box.X + 10 + half, Box.X + Box.W - 10 - half));
            Svg.Text(cx, Box.Y + 24, Title, size, "middle", "#111", weight: "bold", cssClass: "title");
        }
        if (XLabel.Length > 0) Svg.Text((Left + Right) / 2, Bottom + 40, XLabel, 13, "middle", "#111", cssClass: "xlabel");
        if (YLabel.Length > 0) Svg.Text(Box.X + 16, (Top + Bottom) / 2, YLabel, 13, "middle", "#111", rotate: -90, cssClass: "ylabel");
    }

    /// <summary>Draws the legend to the right of the plotting area.</summary>
    public void DrawLegend(IReadOnlyList<(string Name, string Color, string? Dash, bool Marker)> entries)
    {
        if (entries.Count == 0) return;
        double x = LegendBelow ? Left + 6 : Right + 14, y = LegendBelow ? Bottom + (XLabel.Length > 0 ? 54 : 36) : Top + 4;
        double w = entries.Max(e => Svg.TextWidth(e.Name, 12)) + 40;
        Svg.Rect(x - 6, y - 4, w, entries.Count * 20 + 6, "white", "#bbb");
        foreach (var (name, color, dash, marker) in entries)
        {
            Svg.Line(x, y + 8, x + 22, y + 8, color, 2.5, dash);
            if (marker) Svg.Circle(x + 11, y + 8, 3, color);
            Svg.Text(x + 28, y + 12, name, 12, "start", "#222", cssClass: "legend");
            y += 20;
        }
    }
}
