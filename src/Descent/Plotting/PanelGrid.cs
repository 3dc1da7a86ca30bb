namespace Descent.Plotting;

/// <summary>
/// Small multiples: line charts or contour plots laid out in a grid of equal panels under one title, with one shared
/// legend below (so the same series keeps the same colour and name in every panel). Panels should share their axes
/// (set the same <c>XRange</c>/<c>YRange</c>, or the same contour window) so they can be compared by eye.
/// </summary>
internal sealed class PanelGrid
{
    private readonly List<Action<Svg, (double X, double Y, double W, double H)>> _panels = [];
    private readonly List<(string Name, string Color, string? Dash, bool Marker)> _legend = [];

    /// <summary>Title above the grid.</summary>
    public string Title { get; init; } = "";

    /// <summary>Panels per row.</summary>
    public int Columns { get; init; } = 3;

    /// <summary>Size of one panel in pixels.</summary>
    public double PanelWidth { get; init; } = 400;

    /// <inheritdoc cref="PanelWidth"/>
    public double PanelHeight { get; init; } = 340;

    /// <summary>Number of panels added.</summary>
    public int Count => _panels.Count;

    /// <summary>Adds a contour panel (drawn without its own legend).</summary>
    public PanelGrid Add(ContourPlot plot)
    {
        _panels.Add((svg, box) => plot.Draw(svg, box, legend: false));
        return this;
    }

    /// <summary>Adds a line-chart panel (build it with <c>ShowLegend = false</c> when the grid's legend names its series).</summary>
    public PanelGrid Add(LineChart chart)
    {
        _panels.Add(chart.Draw);
        return this;
    }

    /// <summary>Adds a decision-regions panel.</summary>
    public PanelGrid Add(DecisionMap map)
    {
        _panels.Add(map.Draw);
        return this;
    }

    /// <summary>Adds an entry to the shared legend.</summary>
    public PanelGrid Legend(string name, string color, string? dash = null, bool marker = false)
    {
        _legend.Add((name, color, dash, marker));
        return this;
    }

    /// <summary>Renders as a standalone SVG document.</summary>
    public string ToSvg()
    {
        int cols = Math.Max(1, Math.Min(Columns, _panels.Count));
        int rows = Math.Max(1, (_panels.Count + cols - 1) / cols);
        double top = Title.Length > 0 ? 36 : 6;
        double legendRows = _legend.Count == 0 ? 0 : Math.Ceiling(_legend.Count / (double)LegendPerRow(cols));
        var svg = new Svg(cols * PanelWidth + 10, top + rows * PanelHeight + legendRows * 22 + (legendRows > 0 ? 14 : 4));
        if (Title.Length > 0) svg.Text(svg.Width / 2, 24, Title, Math.Min(16, svg.Width / Math.Max(1, Title.Length * 0.62)), "middle", "#111", weight: "bold", cssClass: "title");
        for (int p = 0; p < _panels.Count; p++)
            _panels[p](svg, (5 + p % cols * PanelWidth, top + p / cols * PanelHeight, PanelWidth, PanelHeight));
        if (_legend.Count > 0)
        {
            int per = LegendPerRow(cols);
            double w = (svg.Width - 20) / per, y0 = top + rows * PanelHeight + 8;
            for (int i = 0; i < _legend.Count; i++)
            {
                var (name, color, dash, marker) = _legend[i];
                double x = 14 + i % per * w, y = y0 + i / per * 22;
                svg.Line(x, y + 8, x + 24, y + 8, color, 2.5, dash);
                if (marker) svg.Circle(x + 12, y + 8, 3, color);
                svg.Text(x + 30, y + 12, name, 12, "start", "#222", cssClass: "legend");
            }
        }
        return svg.ToString();
    }

    private int LegendPerRow(int cols)
    {
        double widest = _legend.Count == 0 ? 100 : _legend.Max(e => Svg.TextWidth(e.Name, 12)) + 48;
        return Math.Max(1, (int)((cols * PanelWidth - 20) / widest));
    }
}
