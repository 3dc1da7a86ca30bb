namespace Descent.Plotting;

/// <summary>
/// Histograms as small multiples (rows = initializations, columns = layers, say): every panel shares the same x range
/// so the spread can be compared at a glance; each panel is titled and shows the mean and std of all its values. With
/// <see cref="ZerosApart"/>, exact zeros (ReLU's closed units) are counted, drawn as a grey bar at 0 labelled with their
/// share, and left out of the bar heights' scale so the rest stays visible. Bars are tagged <c>class="panel"</c> groups
/// with a <c>data-name</c>.
/// </summary>
internal sealed class HistogramGrid
{
    private readonly List<(string Name, double[] Values)> _panels = [];

    /// <summary>Title above the grid.</summary>
    public string Title { get; init; } = "";

    /// <summary>Label under each panel's x axis.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Number of bins per panel.</summary>
    public int Bins { get; init; } = 40;

    /// <summary>Panels per row.</summary>
    public int Columns { get; init; } = 5;

    /// <summary>Fixed x range of every panel; null to fit all values (1st–99th percentile).</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Count exact zeros in their own grey bar, labelled with their share (for ReLU outputs).</summary>
    public bool ZerosApart { get; init; }

    /// <summary>A label per row, written vertically at the left (e.g. the initialization).</summary>
    public IReadOnlyList<string> RowTitles { get; init; } = [];

    /// <summary>Size of one panel in pixels.</summary>
    public double PanelWidth { get; init; } = 220;

    /// <inheritdoc cref="PanelWidth"/>
    public double PanelHeight { get; init; } = 170;

    /// <summary>The panels added so far.</summary>
    public IReadOnlyList<(string Name, double[] Values)> Panels => _panels;

    /// <summary>Adds a panel.</summary>
    public HistogramGrid Add(string name, IEnumerable<double> values)
    {
        _panels.Add((name, values.Where(double.IsFinite).ToArray()));
        return this;
    }

    /// <summary>Renders as a standalone SVG document.</summary>
    public string ToSvg()
    {
        int cols = Math.Max(1, Math.Min(Columns, _panels.Count));
        int rows = Math.Max(1, (_panels.Count + cols - 1) / cols);
        double top = Title.Length > 0 ? 40 : 10, margin = RowTitles.Count > 0 ? 26 : 0;
        var svg = new Svg(cols * PanelWidth + 20 + margin, top + rows * PanelHeight + 10);
        for (int r = 0; r < Math.Min(rows, RowTitles.Count); r++)
            svg.Text(18, top + r * PanelHeight + PanelHeight / 2, RowTitles[r], 13, "middle", "#111", rotate: -90, weight: "bold");
        if (Title.Length > 0) svg.Text(svg.Width / 2, 26, Title, 15, "middle", "#111", weight: "bold", cssClass: "title");
        var (lo, hi) = XRange ?? SharedRange();
        var axis = new Axis(lo, hi, nice: XRange is null);
        for (int p = 0; p < _panels.Count; p++)
        {
            var (name, values) = _panels[p];
            double ox = 10 + margin + p % cols * PanelWidth, oy = top + p / cols * PanelHeight;
            double left = ox + 14, right = ox + PanelWidth - 10, ptop = oy + 34, bottom = oy + PanelHeight - (XLabel.Length > 0 ? 40 : 26);
            var counts = new int[Bins];
            int zeros = 0;
            foreach (double v in values)
            {
                if (ZerosApart && v == 0) { zeros++; continue; }
                int b = (int)Math.Floor(axis.Fraction(v) * Bins);
                if (b >= 0 && b < Bins) counts[b]++;
                else if (b == Bins && v <= axis.Max) counts[Bins - 1]++;
            }
            int max = Math.Max(1, counts.Max());
            double mean = values.Length == 0 ? 0 : values.Average();
            double std = values.Length == 0 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            svg.Raw($"<g class=\"panel\" data-name=\"{Svg.Escape(name)}\">");
            svg.Text((left + right) / 2, oy + 14, name, 12, "middle", "#111", weight: "bold");
            svg.Text((left + right) / 2, oy + 28, $"mean {Fmt(mean)}  std {Fmt(std)}", 10, "middle", "#444");
            double bw = (right - left) / Bins;
            for (int b = 0; b < Bins; b++)
            {
                double h = (bottom - ptop) * counts[b] / max;
                if (counts[b] > 0) svg.Rect(left + b * bw, bottom - h, bw * 0.92, h, Palette.Color(0));
            }
            if (zeros > 0)
            {
                double z = left + axis.Fraction(0) * (right - left);
                svg.Rect(z - bw / 2, ptop, bw, bottom - ptop, "#999", opacity: 0.8);
                svg.Text(right, ptop + 10, $"zeros (grey): {zeros / (double)values.Length:0%}", 10, "end", "#555", cssClass: "zeros");
            }
            svg.Line(left, bottom, right, bottom, "#444");
            foreach (double t in axis.Ticks(4))
            {
                double px = left + axis.Fraction(t) * (right - left);
                svg.Line(px, bottom, px, bottom + 4, "#444");
                svg.Text(px, bottom + 15, Axis.Format(t), 10, "middle", "#333");
            }
            if (XLabel.Length > 0) svg.Text((left + right) / 2, bottom + 30, XLabel, 11, "middle", "#222");
            svg.Raw("</g>");
        }
        return svg.ToString();
    }

    private static string Fmt(double v) => Math.Abs(v) >= 1e-3 || v == 0 ? v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : v.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture);

    private (double, double) SharedRange()
    {
        var all = _panels.SelectMany(p => p.Values).ToArray();
        if (all.Length == 0) return (-1, 1);
        Array.Sort(all);
        double lo = all[(int)(0.005 * (all.Length - 1))], hi = all[(int)(0.995 * (all.Length - 1))];
        if (hi <= lo) { lo = all[0]; hi = all[^1]; }
        if (hi <= lo) { lo -= 1; hi += 1; }
        return (lo, hi);
    }
}
