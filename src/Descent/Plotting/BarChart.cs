using System.Globalization;

namespace Descent.Plotting;

/// <summary>
/// Horizontal bars, one per named value, with the value written at the bar's end: accuracies per class, shares. Bars
/// start at the left end of <see cref="XRange"/>; the longest bar is the largest value.
/// </summary>
internal sealed class BarChart
{
    private readonly List<(string Name, double Value)> _bars = [];

    /// <summary>The figure's heading.</summary>
    public string Title { get; init; } = "";

    /// <summary>What the values are (under the axis).</summary>
    public string XLabel { get; init; } = "";

    /// <summary>The axis range (default: 0 to the largest value).</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>How a value is written (default: three significant decimals).</summary>
    public Func<double, string> Format { get; init; } = v => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Adds a bar.</summary>
    public BarChart Add(string name, double value)
    {
        _bars.Add((name, value));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        const double barHeight = 20, gap = 6, top = 40, right = 70, plotWidth = 380;
        double labelWidth = Math.Max(60, _bars.Select(b => Svg.TextWidth(b.Name, 12)).DefaultIfEmpty(0).Max() + 12);
        var finite = _bars.Select(b => b.Value).Where(double.IsFinite).ToList();
        var (min, max) = XRange ?? (0, finite.Count == 0 ? 1 : Math.Max(finite.Max(), 1e-12));
        double height = top + _bars.Count * (barHeight + gap) + 40;
        var svg = new Svg(labelWidth + plotWidth + right, height);
        svg.Text(8, 22, Title, 15, weight: "bold");
        double x0 = labelWidth, yEnd = top + _bars.Count * (barHeight + gap);
        for (int t = 0; t <= 4; t++)
        {
            double v = min + (max - min) * t / 4, x = x0 + plotWidth * t / 4;
            svg.Line(x, top - 4, x, yEnd, "#e3e3e3");
            svg.Text(x, yEnd + 14, Format(v), 10, "middle", "#555");
        }
        for (int i = 0; i < _bars.Count; i++)
        {
            var (name, value) = _bars[i];
            double y = top + i * (barHeight + gap);
            svg.Text(x0 - 8, y + barHeight * 0.7, name, 12, "end");
            if (!double.IsFinite(value)) { svg.Text(x0 + 4, y + barHeight * 0.7, "–", 12); continue; }
            double w = plotWidth * Math.Clamp((value - min) / (max - min), 0, 1);
            svg.Rect(x0, y, w, barHeight, Palette.Color(0));
            svg.Text(x0 + w + 4, y + barHeight * 0.7, Format(value), 11, fill: "#222");
        }
        svg.Line(x0, top - 4, x0, yEnd, "#444");
        if (XLabel.Length > 0) svg.Text(x0 + plotWidth / 2, yEnd + 30, XLabel, 12, "middle");
        return svg.ToString();
    }
}
