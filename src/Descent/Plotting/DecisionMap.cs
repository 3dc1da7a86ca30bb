namespace Descent.Plotting;

/// <summary>
/// A classifier's decision regions over a 2-D window (each grid cell filled with a light tint of its predicted class)
/// with the data points on top (dots in the class's full colour). Used as one panel of small multiples.
/// </summary>
internal sealed class DecisionMap
{
    private readonly Func<double[], int[]> _classify;
    private readonly List<(double X, double Y, int Label)> _points = [];

    /// <summary>Regions of <paramref name="classify"/> (rows of (x₁, x₂) → class) over [x0, x1] × [y0, y1].</summary>
    public DecisionMap(Func<double[], int[]> classify, double x0, double x1, double y0, double y1)
    {
        if (!(x1 > x0) || !(y1 > y0))
            throw new ArgumentException($"DecisionMap: need x0 < x1 and y0 < y1, got [{x0}, {x1}] × [{y0}, {y1}].");
        _classify = classify;
        (X0, X1, Y0, Y1) = (x0, x1, y0, y1);
    }

    /// <summary>The window.</summary>
    public double X0 { get; }

    /// <inheritdoc cref="X0"/>
    public double X1 { get; }

    /// <inheritdoc cref="X0"/>
    public double Y0 { get; }

    /// <inheritdoc cref="X0"/>
    public double Y1 { get; }

    /// <summary>Title above the panel.</summary>
    public string Title { get; init; } = "";

    /// <summary>Grid cells per side.</summary>
    public int Resolution { get; init; } = 60;

    /// <summary>Adds data points with their true class.</summary>
    public DecisionMap AddPoints(IEnumerable<(double X, double Y, int Label)> points)
    {
        _points.AddRange(points);
        return this;
    }

    /// <summary>Draws the panel into <paramref name="box"/>, at equal aspect.</summary>
    public void Draw(Svg svg, (double X, double Y, double W, double H) box)
    {
        var frame = new Frame(svg, box, new Axis(X0, X1, nice: false), new Axis(Y0, Y1, nice: false), Title, "x₁", "x₂", []);
        frame.EqualAspect();
        int n = Resolution;
        var grid = new double[n * n * 2];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                grid[2 * (i * n + j)] = X0 + (X1 - X0) * (i + 0.5) / n;
                grid[2 * (i * n + j) + 1] = Y0 + (Y1 - Y0) * (j + 0.5) / n;
            }
        var cls = _classify(grid);
        double cw = (frame.Right - frame.Left) / n, ch = (frame.Bottom - frame.Top) / n;
        svg.Raw("<g class=\"regions\">");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                svg.Rect(frame.Left + i * cw, frame.Bottom - (j + 1) * ch, cw + 0.3, ch + 0.3, Palette.Color(cls[i * n + j]), opacity: 0.22);
        svg.Raw("</g>");
        frame.DrawAxes(grid: false);
        svg.Raw("<g class=\"points\">");
        foreach (var (x, y, label) in _points)
            svg.Circle(frame.Px(x), frame.Py(y), 2.6, Palette.Color(label), "#fff");
        svg.Raw("</g>");
    }
}
