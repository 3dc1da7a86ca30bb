namespace Descent.Plotting;

/// <summary>A path drawn over a contour plot (an optimizer's iterates).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">The iterates (x₁, x₂) in order.</param>
public sealed record PathSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Contour lines of a function f(x₁, x₂) over a rectangle (marching squares on a grid), with optimizer paths
/// drawn on top (start marked by an open circle, end by a filled dot) and labelled points (stationary points).
/// Levels sit at quantiles of f over the grid, so steep corners do not crowd out the interesting middle (this
/// also suits valleys such as Rosenbrock's). Paths are tagged <c>class="path"</c> with a <c>data-name</c>.
/// </summary>
public sealed class ContourPlot
{
    private readonly Func<double, double, double> _f;
    private readonly List<PathSeries> _paths = [];
    private readonly List<(double X, double Y, string Label)> _marks = [];

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

    /// <summary>Axis labels.</summary>
    public string XLabel { get; init; } = "x₁";

    /// <inheritdoc cref="XLabel"/>
    public string YLabel { get; init; } = "x₂";

    /// <summary>The paths added so far.</summary>
    public IReadOnlyList<PathSeries> Paths => _paths;

    /// <summary>Adds an optimizer path.</summary>
    public ContourPlot AddPath(string name, IReadOnlyList<(double X, double Y)> points)
    {
        _paths.Add(new PathSeries(name, points));
        return this;
    }

    /// <summary>Marks a point with a label (e.g. "saddle").</summary>
    public ContourPlot Mark(double x, double y, string label)
    {
        _marks.Add((x, y, label));
        return this;
    }

    /// <summary>Renders as a standalone SVG document.</summary>
    public string ToSvg()
    {
        var svg = new Svg(Width, Height);
        var names = _paths.Select(p => p.Name).ToList();
        var frame = new Frame(svg, new Axis(X0, X1, nice: false), new Axis(Y0, Y1, nice: false), Title, XLabel, YLabel, names, legendBelow: true);
        frame.DrawAxes(grid: false);
        int n = Resolution;
        var grid = new double[n + 1, n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
            {
                double v = _f(X0 + (X1 - X0) * i / n, Y0 + (Y1 - Y0) * j / n);
                grid[i, j] = v;
            }
        svg.Raw("<g class=\"contours\">");
        foreach (var (level, t) in LevelValues(grid))
            DrawLevel(svg, frame, grid, level, Palette.Ramp(t));
        svg.Raw("</g>");
        for (int p = 0; p < _paths.Count; p++)
        {
            string color = Palette.Color(p + 1);
            var pts = _paths[p].Points.Where(q => double.IsFinite(q.X) && double.IsFinite(q.Y)).Select(q => (frame.Px(q.X), frame.Py(q.Y))).ToList();
            svg.Raw($"<g class=\"path\" data-name=\"{Svg.Escape(_paths[p].Name)}\" clip-path=\"url(#{frame.ClipId})\">");
            svg.Polyline(pts, color, 2);
            if (pts.Count < 200)
                foreach (var q in pts) svg.Circle(q.Item1, q.Item2, 2, color);
            if (pts.Count > 0)
            {
                svg.Circle(pts[0].Item1, pts[0].Item2, 5, "white", color);
                svg.Circle(pts[^1].Item1, pts[^1].Item2, 4.5, color, "#000");
            }
            svg.Raw("</g>");
        }
        foreach (var (x, y, label) in _marks)
        {
            double px = frame.Px(x), py = frame.Py(y);
            svg.Raw($"<path d=\"M{Svg.F(px - 6)},{Svg.F(py)} L{Svg.F(px + 6)},{Svg.F(py)} M{Svg.F(px)},{Svg.F(py - 6)} L{Svg.F(px)},{Svg.F(py + 6)}\" stroke=\"#000\" stroke-width=\"2.5\"/>");
            svg.Text(px + 8, py - 6, label, 12, "start", "#000", weight: "bold", cssClass: "mark");
        }
        frame.DrawLegend(_paths.Select((p, i) => (p.Name, Palette.Color(i + 1), (string?)null, true)).ToList());
        return svg.ToString();
    }

    private IEnumerable<(double Level, double T)> LevelValues(double[,] grid)
    {
        var v = grid.Cast<double>().Where(double.IsFinite).ToArray();
        if (v.Length == 0) yield break;
        Array.Sort(v);
        double previous = double.NegativeInfinity;
        for (int k = 1; k <= Levels; k++)
        {
            double t = k / (double)(Levels + 1);
            double q = t * t;   // denser near the minimum, where the paths end
            double level = v[(int)(q * (v.Length - 1))];
            if (level <= previous) continue;
            previous = level;
            yield return (level, t);
        }
    }

    /// <summary>Marching squares: for each cell, the segments where f crosses the level (linear interpolation on edges).</summary>
    private void DrawLevel(Svg svg, Frame frame, double[,] g, double level, string color)
    {
        int n = Resolution;
        var d = new System.Text.StringBuilder();
        double Gx(double i) => frame.Px(X0 + (X1 - X0) * i / n);
        double Gy(double j) => frame.Py(Y0 + (Y1 - Y0) * j / n);
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
                    d.Append('M').Append(Svg.F(cross[k].X)).Append(',').Append(Svg.F(cross[k].Y))
                     .Append('L').Append(Svg.F(cross[k + 1].X)).Append(',').Append(Svg.F(cross[k + 1].Y));
            }
        if (d.Length > 0)
            svg.Raw($"<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1\" opacity=\"0.8\"/>");
    }
}
