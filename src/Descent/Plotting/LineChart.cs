namespace Descent.Plotting;

/// <summary>One named curve of a <see cref="LineChart"/>.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates; NaN or infinite values (and non-positive ones on a log axis) break the line.</param>
/// <param name="Dash">SVG dash pattern (e.g. "6 3"), or null for a solid line.</param>
/// <param name="Markers">Whether to draw a dot at each point.</param>
internal sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, string? Dash = null, bool Markers = false)
{
    /// <summary>Colour (CSS), or null for the palette colour of the series' position.</summary>
    public string? Color { get; init; }

    /// <summary>Draw as a staircase: each value holds until the next x (a schedule that changes in whole steps).</summary>
    public bool Steps { get; init; }

    /// <summary>A series over x = 0, 1, 2, … (iterations, epochs, layers).</summary>
    public static Series Indexed(string name, IReadOnlyList<double> y, int start = 0, string? dash = null, bool markers = false) =>
        new(name, Enumerable.Range(start, y.Count).Select(i => (double)i).ToList(), y, dash, markers);
}

/// <summary>
/// A line chart: several series on linear or log axes with nice ticks, a title, axis labels and a legend,
/// optionally vertical/horizontal reference lines. Each series is a polyline tagged <c>class="series"</c>
/// with a <c>data-name</c>, so a test can find it in the SVG.
/// </summary>
internal sealed class LineChart
{
    private readonly List<Series> _series = [];
    private readonly List<(bool Vertical, double Value, string Label)> _rules = [];

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>Label under the x axis.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Label beside the y axis.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Scale of the x axis.</summary>
    public AxisScale XScale { get; init; } = AxisScale.Linear;

    /// <summary>Scale of the y axis.</summary>
    public AxisScale YScale { get; init; } = AxisScale.Linear;

    /// <summary>Fixed y range (values outside are clipped); null to fit the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Fixed x range; null to fit the data.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Size in pixels.</summary>
    public double Width { get; init; } = 720;

    /// <inheritdoc cref="Width"/>
    public double Height { get; init; } = 440;

    /// <summary>The series added so far.</summary>
    public IReadOnlyList<Series> Series => _series;

    /// <summary>Adds a series.</summary>
    public LineChart Add(Series s)
    {
        if (s.X.Count != s.Y.Count)
            throw new ArgumentException($"LineChart.Add: series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.");
        _series.Add(s);
        return this;
    }

    /// <summary>Adds a series from parallel arrays.</summary>
    public LineChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, string? dash = null, bool markers = false) =>
        Add(new Series(name, x, y, dash, markers));

    /// <summary>Adds a dashed vertical reference line at x with a label.</summary>
    public LineChart VerticalRule(double x, string label)
    {
        _rules.Add((true, x, label));
        return this;
    }

    /// <summary>Adds a dashed horizontal reference line at y with a label.</summary>
    public LineChart HorizontalRule(double y, string label)
    {
        _rules.Add((false, y, label));
        return this;
    }

    /// <summary>Whether the legend is drawn (off for panels that share one legend).</summary>
    public bool ShowLegend { get; init; } = true;

    /// <summary>Renders the chart as a standalone SVG document (taller when the legend must go below the plot).</summary>
    public string ToSvg()
    {
        var names = LegendNames();
        bool below = LegendBelow(names, Width);
        var svg = new Svg(Width, Height + (below ? names.Count * 20 + 14 : 0));
        Draw(svg, (0, 0, svg.Width, svg.Height));
        return svg.ToString();
    }

    private List<string> LegendNames() => ShowLegend ? _series.Select(s => s.Name).Where(n => n.Length > 0).ToList() : [];

    private static bool LegendBelow(List<string> names, double width) => names.Count > 0 && names.Max(n => Svg.TextWidth(n, 12)) + 44 > 0.3 * width;

    /// <summary>Draws the chart into the rectangle <paramref name="box"/> of <paramref name="svg"/> (a panel of small multiples).</summary>
    public void Draw(Svg svg, (double X, double Y, double W, double H) box)
    {
        var xAxis = XRange is { } xr ? new Axis(xr.Min, xr.Max, XScale, nice: false) : Fit(_series.SelectMany(s => s.X), XScale, false);
        var yAxis = YRange is { } yr ? new Axis(yr.Min, yr.Max, YScale, nice: false) : Fit(_series.SelectMany(s => s.Y), YScale, true);
        var names = LegendNames();
        bool below = LegendBelow(names, box.W);
        var frame = new Frame(svg, box, xAxis, yAxis, Title, XLabel, YLabel, names, below);
        frame.DrawAxes();
        for (int i = 0; i < _series.Count; i++)
        {
            var s = _series[i];
            string color = s.Color ?? Palette.Color(i);
            svg.Raw($"<g class=\"series\" data-name=\"{Svg.Escape(s.Name)}\">");
            foreach (var run in Runs(s, xAxis, yAxis))
                svg.Polyline((s.Steps ? Staircase(run) : run).Select(p => (frame.Px(p.X), frame.Py(p.Y))).ToList(), color, 2, s.Dash, clipId: frame.ClipId);
            if (s.Markers)
                for (int k = 0; k < s.X.Count; k++)
                    if (xAxis.CanShow(s.X[k]) && yAxis.CanShow(s.Y[k]) && Inside(xAxis, s.X[k]) && Inside(yAxis, s.Y[k]))
                        svg.Circle(frame.Px(s.X[k]), frame.Py(s.Y[k]), 3, color);
            svg.Raw("</g>");
        }
        int ruleIndex = 0;
        foreach (var (vertical, value, label) in _rules)
        {
            double stagger = 16 * ruleIndex++;
            if (vertical && xAxis.CanShow(value) && Inside(xAxis, value))
            {
                double px = frame.Px(value);
                svg.Line(px, frame.Top, px, frame.Bottom, "#555", 1.2, "5 4");
                svg.Text(px + 4, frame.Top + 14 + stagger, label, 11, "start", "#333");
            }
            else if (!vertical && yAxis.CanShow(value) && Inside(yAxis, value))
            {
                double py = frame.Py(value);
                svg.Line(frame.Left, py, frame.Right, py, "#555", 1.2, "5 4");
                svg.Text(frame.Left + 6, py - 4, label, 11, "start", "#333");
            }
        }
        if (ShowLegend) frame.DrawLegend(_series.Select((s, i) => (s.Name, s.Color ?? Palette.Color(i), s.Dash, s.Markers)).Where(e => e.Name.Length > 0).ToList());
    }

    private static bool Inside(Axis a, double v) => v >= Math.Min(a.Min, a.Max) - 1e-12 * Math.Abs(a.Max) && v <= a.Max + 1e-12 * Math.Abs(a.Max);

    /// <summary>An axis fitted to the drawable values (a little padding on y).</summary>
    internal static Axis Fit(IEnumerable<double> values, AxisScale scale, bool pad)
    {
        var v = values.Where(x => double.IsFinite(x) && (scale == AxisScale.Linear || x > 0)).ToList();
        if (v.Count == 0) return new Axis(scale == AxisScale.Log ? 0.1 : 0, 1, scale);
        double min = v.Min(), max = v.Max();
        if (pad && scale == AxisScale.Linear && max > min)
        {
            double d = (max - min) * 0.03;
            if (min != 0) min = min > 0 ? Math.Max(0, min - d) : min - d;
            if (max != 0) max += d;
        }
        return new Axis(min, max, scale);
    }

    /// <summary>(x₀, y₀), (x₁, y₀), (x₁, y₁), …: each value held until the next abscissa.</summary>
    private static List<(double X, double Y)> Staircase(List<(double X, double Y)> run)
    {
        var steps = new List<(double X, double Y)>(2 * run.Count);
        for (int k = 0; k < run.Count; k++)
        {
            if (k > 0) steps.Add((run[k].X, run[k - 1].Y));
            steps.Add(run[k]);
        }
        return steps;
    }

    /// <summary>Splits a series into runs of drawable points.</summary>
    private static IEnumerable<List<(double X, double Y)>> Runs(Series s, Axis x, Axis y)
    {
        var run = new List<(double, double)>();
        for (int k = 0; k < s.X.Count; k++)
        {
            if (x.CanShow(s.X[k]) && y.CanShow(s.Y[k])) run.Add((s.X[k], s.Y[k]));
            else if (run.Count > 0) { yield return run; run = []; }
        }
        if (run.Count > 0) yield return run;
    }
}
