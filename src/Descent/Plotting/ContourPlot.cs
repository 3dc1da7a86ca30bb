namespace Descent.Plotting;

/// <summary>A path drawn over a contour plot (an optimizer's iterates).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">The iterates (x₁, x₂) in order.</param>
internal sealed record PathSeries(string Name, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>Colour (CSS), or null for the palette colour of the path's position (the same rule as <see cref="LineChart"/>).</summary>
    public string? Color { get; init; }
}

/// <summary>An arrow in data coordinates (a gradient drawn at an iterate), with a label at its tip.</summary>
internal sealed record Arrow(double X, double Y, double Dx, double Dy, string Label, string Color = "#1f4e9c");

/// <summary>
/// Contour lines of a function f(x₁, x₂) over a rectangle (marching squares on a grid), drawn at equal aspect (one
/// unit of x₁ and of x₂ take the same pixels, so a circle stays a circle and the gradient is drawn perpendicular to
/// the level lines), in shades of grey with their values written on them. Optimizer paths go on top (open circle =
/// start, filled dot = end) in the series palette from its first colour, so a path and its loss curve in a
/// <see cref="LineChart"/> share a colour; the minimum is a star; arrows show gradients. Levels sit at quantiles of f
/// over the grid, denser near the bottom, rounded to two significant digits. Paths are tagged <c>class="path"</c>
/// with a <c>data-name</c>, level labels <c>class="level"</c>.
/// </summary>
internal sealed class ContourPlot
{
    private readonly Func<double, double, double> _f;
    private readonly List<PathSeries> _paths = [];
    private readonly List<(double X, double Y, string Label)> _marks = [];
    private readonly List<Arrow> _arrows = [];
    private (double X, double Y, string Label)? _minimum;

    /// <summary>Contours of <paramref name="f"/> over [x0, x1] × [y0, y1].</summary>
    public ContourPlot(Func<double, double, double> f, double x0, double x1, double y0, double y1)
    {
        if (!(x1 > x0) || !(y1 > y0))
            throw new ArgumentException($"ContourPlot: need x0 < x1 and y0 < y1, got [{x0}, {x1}] × [{y0}, {y1}].");
        _f = f;
        (X0, X1, Y0, Y1) = (x0, x1, y0, y1);
    }

    /// <summary>The rectangle shown.</summary>
    public double X0 { get; }

    /// <inheritdoc cref="X0"/>
    public double X1 { get; }

    /// <inheritdoc cref="X0"/>
    public double Y0 { get; }

    /// <inheritdoc cref="X0"/>
    public double Y1 { get; }

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>Number of contour levels.</summary>
    public int Levels { get; init; } = 14;

    /// <summary>Grid cells per side.</summary>
    public int Resolution { get; init; } = 90;

    /// <summary>Size in pixels.</summary>
    public double Width { get; init; } = 720;

    /// <inheritdoc cref="Width"/>
    public double Height { get; init; } = 520;

    /// <summary>Whether one unit takes the same pixels on both axes (default; turn off only for windows far from square).</summary>
    public bool EqualAspect { get; init; } = true;

    /// <summary>Axis labels.</summary>
    public string XLabel { get; init; } = "x₁";

    /// <inheritdoc cref="XLabel"/>
    public string YLabel { get; init; } = "x₂";

    /// <summary>The paths added so far.</summary>
    public IReadOnlyList<PathSeries> Paths => _paths;

    /// <summary>The level values drawn (after rounding), lowest first.</summary>
    public IReadOnlyList<double> LevelValues() => Levels_(Grid()).Select(l => l.Level).ToList();

    /// <summary>Adds an optimizer path; <paramref name="color"/> null takes the palette colour of its position.</summary>
    public ContourPlot AddPath(string name, IReadOnlyList<(double X, double Y)> points, string? color = null)
    {
        _paths.Add(new PathSeries(name, points) { Color = color });
        return this;
    }

    /// <summary>Marks a point with a label (e.g. "saddle").</summary>
    public ContourPlot Mark(double x, double y, string label)
    {
        _marks.Add((x, y, label));
        return this;
    }

    /// <summary>Marks the minimum with a star and a label.</summary>
    public ContourPlot Minimum(double x, double y, string label = "minimum")
    {
        _minimum = (x, y, label);
        return this;
    }

    /// <summary>Draws an arrow from (x, y) to (x + dx, y + dy), in data units.</summary>
    public ContourPlot AddArrow(Arrow arrow)
    {
        _arrows.Add(arrow);
        return this;
    }

    /// <summary>Renders as a standalone SVG document, legend below.</summary>
    public string ToSvg()
    {
        var svg = new Svg(Width, Height);
        Draw(svg, (0, 0, Width, Height), legend: true);
        return svg.ToString();
    }

    /// <summary>Draws the plot into the rectangle <paramref name="box"/> of <paramref name="svg"/> (a panel of small multiples).</summary>
    public void Draw(Svg svg, (double X, double Y, double W, double H) box, bool legend)
    {
        var names = legend ? _paths.Select(p => p.Name).ToList() : [];
        var frame = new Frame(svg, box, new Axis(X0, X1, nice: false), new Axis(Y0, Y1, nice: false), Title, XLabel, YLabel, names, legendBelow: true);
        if (EqualAspect) frame.EqualAspect();
        frame.DrawAxes(grid: false);
        var grid = Grid();
        var levels = Levels_(grid).ToList();
        var labels = new List<(double X, double Y, double Level)>();
        svg.Raw($"<g class=\"contours\" clip-path=\"url(#{frame.ClipId})\">");
        foreach (var (level, t) in levels)
            DrawLevel(svg, frame, grid, level, Shade(t), labels);
        svg.Raw("</g>");
        foreach (var (x, y, level) in labels)
        {
            string text = Axis.Format(level);
            double w = Svg.TextWidth(text, 10);
            svg.Rect(x - w / 2 - 1, y - 7, w + 2, 12, "white", opacity: 0.85);
            svg.Text(x, y + 3, text, 10, "middle", "#555", cssClass: "level");
        }
        if (_minimum is { } m)
        {
            double px = frame.Px(m.X), py = frame.Py(m.Y);
            svg.Raw($"<path class=\"minimum\" d=\"{Star(px, py, 9)}\" fill=\"#ffd700\" stroke=\"#000\" stroke-width=\"1\"/>");
            svg.Text(px + 11, py + 16, m.Label, 12, "start", "#000", weight: "bold", cssClass: "mark");
        }
        for (int p = 0; p < _paths.Count; p++)
        {
            string color = _paths[p].Color ?? Palette.Color(p);
            var pts = _paths[p].Points.Where(q => double.IsFinite(q.X) && double.IsFinite(q.Y)).Select(q => (frame.Px(q.X), frame.Py(q.Y))).ToList();
            svg.Raw($"<g class=\"path\" data-name=\"{Svg.Escape(_paths[p].Name)}\" clip-path=\"url(#{frame.ClipId})\">");
            svg.Polyline(pts, color, 2);
            if (pts.Count < 200)
                foreach (var q in pts) svg.Circle(q.Item1, q.Item2, 2.2, color);
            if (pts.Count > 0)
            {
                svg.Circle(pts[0].Item1, pts[0].Item2, 5, "white", color);
                svg.Circle(pts[^1].Item1, pts[^1].Item2, 4.5, color, "#000");
            }
            svg.Raw("</g>");
        }
        foreach (var a in _arrows)
        {
            double x0 = frame.Px(a.X), y0 = frame.Py(a.Y), x1 = frame.Px(a.X + a.Dx), y1 = frame.Py(a.Y + a.Dy);
            double len = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
            if (len < 1) continue;
            double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
            svg.Raw($"<g class=\"arrow\" data-name=\"{Svg.Escape(a.Label)}\">");
            svg.Line(x0, y0, x1, y1, a.Color, 2.2);
            svg.Raw($"<path d=\"M{Svg.F(x1)},{Svg.F(y1)} L{Svg.F(x1 - 10 * ux - 5 * uy)},{Svg.F(y1 - 10 * uy + 5 * ux)} L{Svg.F(x1 - 10 * ux + 5 * uy)},{Svg.F(y1 - 10 * uy - 5 * ux)} Z\" fill=\"{a.Color}\"/>");
            svg.Text(x1 + 6 * ux + (ux >= 0 ? 2 : -2), y1 + 6 * uy + 4, a.Label, 11, ux >= 0 ? "start" : "end", a.Color, weight: "bold");
            svg.Raw("</g>");
        }
        foreach (var (x, y, label) in _marks)
        {
            double px = frame.Px(x), py = frame.Py(y);
            svg.Raw($"<path d=\"M{Svg.F(px - 6)},{Svg.F(py)} L{Svg.F(px + 6)},{Svg.F(py)} M{Svg.F(px)},{Svg.F(py - 6)} L{Svg.F(px)},{Svg.F(py + 6)}\" stroke=\"#000\" stroke-width=\"2.5\"/>");
            svg.Text(px + 8, py - 6, label, 12, "start", "#000", weight: "bold", cssClass: "mark");
        }
        if (legend) frame.DrawLegend(_paths.Select((p, i) => (p.Name, p.Color ?? Palette.Color(i), (string?)null, true)).ToList());
    }

    private double[,] Grid()
    {
        int n = Resolution;
        var grid = new double[n + 1, n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
                grid[i, j] = _f(X0 + (X1 - X0) * i / n, Y0 + (Y1 - Y0) * j / n);
        return grid;
    }

    /// <summary>Grey from dark (low levels) to light (high levels).</summary>
    private static string Shade(double t)
    {
        int g = (int)Math.Round(90 + 110 * Math.Clamp(t, 0, 1));
        return $"#{g:x2}{g:x2}{g:x2}";
    }

    private static string Star(double cx, double cy, double r)
    {
        var d = new System.Text.StringBuilder();
        for (int k = 0; k < 10; k++)
        {
            double a = -Math.PI / 2 + k * Math.PI / 5, rr = k % 2 == 0 ? r : r * 0.45;
            d.Append(k == 0 ? 'M' : 'L').Append(Svg.F(cx + rr * Math.Cos(a))).Append(',').Append(Svg.F(cy + rr * Math.Sin(a)));
        }
        return d.Append('Z').ToString();
    }

    private IEnumerable<(double Level, double T)> Levels_(double[,] grid)
    {
        var v = grid.Cast<double>().Where(double.IsFinite).ToArray();
        if (v.Length == 0) yield break;
        Array.Sort(v);
        double previous = double.NegativeInfinity;
        for (int k = 1; k <= Levels; k++)
        {
            double t = k / (double)(Levels + 1);
            double q = t * t;   // denser near the minimum, where the paths end
            double level = Round2(v[(int)(q * (v.Length - 1))]);
            if (level <= previous || level <= v[0] || level >= v[^1]) continue;
            previous = level;
            yield return (level, t);
        }
    }

    /// <summary>Two significant digits (levels people can read).</summary>
    private static double Round2(double v)
    {
        if (v == 0 || !double.IsFinite(v)) return v;
        double p = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(v))) - 1);
        return Math.Round(v / p) * p;
    }

    /// <summary>
    /// Marching squares: for each cell, the segments where f crosses the level (linear interpolation on edges). The
    /// level's label goes on the segment nearest the ray from the grid's lowest point to the farthest corner, at
    /// least 24 px from labels already placed and 12 px inside the frame.
    /// </summary>
    private void DrawLevel(Svg svg, Frame frame, double[,] g, double level, string color, List<(double X, double Y, double Level)> labels)
    {
        int n = Resolution;
        var d = new System.Text.StringBuilder();
        double Gx(double i) => frame.Px(X0 + (X1 - X0) * i / n);
        double Gy(double j) => frame.Py(Y0 + (Y1 - Y0) * j / n);
        var (ai, aj) = ArgMin(g);
        double ox = Gx(ai), oy = Gy(aj);
        var corners = new[] { (frame.Left, frame.Top), (frame.Right, frame.Top), (frame.Left, frame.Bottom), (frame.Right, frame.Bottom) };
        var far = corners.OrderByDescending(c => (c.Item1 - ox) * (c.Item1 - ox) + (c.Item2 - oy) * (c.Item2 - oy)).First();
        double rx = far.Item1 - ox, ry = far.Item2 - oy, rl = Math.Max(1e-9, Math.Sqrt(rx * rx + ry * ry));
        (double X, double Y)? best = null;
        double bestDist = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double a = g[i, j], b = g[i + 1, j], c = g[i + 1, j + 1], e = g[i, j + 1];
                if (!double.IsFinite(a) || !double.IsFinite(b) || !double.IsFinite(c) || !double.IsFinite(e)) continue;
                var cross = new List<(double X, double Y)>(4);
                void Edge(double v0, double v1, double x0, double y0, double x1, double y1)
                {
                    if ((v0 < level) == (v1 < level)) return;
                    double t = (level - v0) / (v1 - v0);
                    cross.Add((Gx(x0 + t * (x1 - x0)), Gy(y0 + t * (y1 - y0))));
                }
                Edge(a, b, i, j, i + 1, j);
                Edge(b, c, i + 1, j, i + 1, j + 1);
                Edge(c, e, i + 1, j + 1, i, j + 1);
                Edge(e, a, i, j + 1, i, j);
                for (int k = 0; k + 1 < cross.Count; k += 2)
                {
                    d.Append('M').Append(Svg.F(cross[k].X)).Append(',').Append(Svg.F(cross[k].Y))
                     .Append('L').Append(Svg.F(cross[k + 1].X)).Append(',').Append(Svg.F(cross[k + 1].Y));
                    double mx = (cross[k].X + cross[k + 1].X) / 2, my = (cross[k].Y + cross[k + 1].Y) / 2;
                    if (mx < frame.Left + 14 || mx > frame.Right - 14 || my < frame.Top + 10 || my > frame.Bottom - 10) continue;
                    double along = ((mx - ox) * rx + (my - oy) * ry) / rl;
                    if (along < 0) continue;
                    double dist = Math.Abs((mx - ox) * ry - (my - oy) * rx) / rl;
                    if (dist < bestDist && labels.All(l => (l.X - mx) * (l.X - mx) + (l.Y - my) * (l.Y - my) > 24 * 24))
                    {
                        bestDist = dist;
                        best = (mx, my);
                    }
                }
            }
        if (d.Length > 0)
            svg.Raw($"<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1\"/>");
        if (best is { } p && bestDist < 40) labels.Add((p.X, p.Y, level));
    }

    private static (int I, int J) ArgMin(double[,] g)
    {
        (int, int) at = (0, 0);
        double min = double.PositiveInfinity;
        for (int i = 0; i < g.GetLength(0); i++)
            for (int j = 0; j < g.GetLength(1); j++)
                if (g[i, j] < min) { min = g[i, j]; at = (i, j); }
        return at;
    }
}
