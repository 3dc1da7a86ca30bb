using System.Globalization;
using System.Net;
using System.Text;

namespace Descent.Tuning;

/// <summary>
/// The two figures of a study as standalone SVG: each parameter against the metric (one panel per parameter, on the
/// parameter's own scale: log axes for log-uniform, 1 − β on a log axis for β-like parameters), and the best value so
/// far against the trial number. Minimal on purpose (points, axes, ticks); no dependency.
/// </summary>
public static class TuningFigures
{
    private const int PanelW = 260, PanelH = 200, Margin = 52;

    /// <summary>One scatter panel per parameter: x = the parameter, y = the trial's value (complete: filled; pruned: hollow).</summary>
    public static string ParametersVsMetric(StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        var space = study.Space;
        int cols = Math.Min(3, Math.Max(1, space.Count)), rows = (space.Count + cols - 1) / cols;
        var svg = Begin(cols * PanelW, rows * PanelH + 24, $"{study.Name}: parameters vs {study.Metric}");
        var done = trials.Where(t => t.IsFinished && t.Value is { } v && double.IsFinite(v)).ToList();
        for (int i = 0; i < space.Count; i++)
        {
            var (name, d) = space.Parameters[i];
            double ox = i % cols * PanelW, oy = 24 + i / cols * PanelH;
            var pts = done.Where(t => t.Params.ContainsKey(name)).Select(t => (X: AxisValue(d, t.Params[name]), Y: t.Value!.Value, Pruned: t.State == TrialState.Pruned)).Where(p => double.IsFinite(p.X)).ToList();
            string xLabel = d switch { LogUniformDistribution => $"{name} (log)", OneMinusLogUniformDistribution => $"1 − {name} (log)", IntDistribution { Log: true } => $"{name} (log)", _ => name };
            bool logX = d is LogUniformDistribution or OneMinusLogUniformDistribution or IntDistribution { Log: true };
            Panel(svg, ox, oy, pts, xLabel, study.Metric, logX, d as CategoricalDistribution);
        }
        return End(svg);
    }

    /// <summary>Every finished trial's value by trial number (dots) and the best so far (a step line).</summary>
    public static string BestSoFar(StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        var svg = Begin(PanelW * 2, PanelH + 60, $"{study.Name}: best {study.Metric} so far");
        var done = trials.Where(t => t.IsFinished && t.Value is { } v && double.IsFinite(v)).OrderBy(t => t.Number).ToList();
        var pts = done.Select(t => (X: (double)t.Number, Y: t.Value!.Value, Pruned: t.State == TrialState.Pruned)).ToList();
        var (sx, sy) = Panel(svg, 0, 24, pts, "trial", study.Metric, false, null, PanelW * 2, PanelH + 30);
        double best = double.NaN;
        var line = new StringBuilder();
        foreach (var t in done.Where(t => t.State == TrialState.Complete))
        {
            double v = t.Value!.Value;
            if (double.IsNaN(best) || (study.Direction == Direction.Minimize ? v < best : v > best))
            {
                if (!double.IsNaN(best)) line.Append(F(sx(t.Number))).Append(',').Append(F(sy(best))).Append(' ');
                best = v;
            }
            line.Append(F(sx(t.Number))).Append(',').Append(F(sy(best))).Append(' ');
        }
        if (line.Length > 0) svg.Append($"<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"{line.ToString().Trim()}\"/>\n");
        return End(svg);
    }

    /// <summary>Writes both figures and a small HTML page collecting them into <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(string directory, StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>
        {
            WriteFile(Path.Combine(directory, "parameters.svg"), ParametersVsMetric(study, trials)),
            WriteFile(Path.Combine(directory, "best-so-far.svg"), BestSoFar(study, trials)),
        };
        string html = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Study {Esc(study.Name)}</title></head><body>\n" +
            $"<h1>Study {Esc(study.Name)}</h1>\n<p>{trials.Count} trials, {study.Direction.ToString().ToLowerInvariant()} {Esc(study.Metric)}.</p>\n" +
            "<img src=\"parameters.svg\"><br><img src=\"best-so-far.svg\">\n</body></html>\n";
        files.Add(WriteFile(Path.Combine(directory, "index.html"), html));
        return files;
    }

    private static string WriteFile(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    private static double AxisValue(Distribution d, object v) => d switch
    {
        OneMinusLogUniformDistribution => 1 - Convert.ToDouble(v, CultureInfo.InvariantCulture),
        CategoricalDistribution c => c.TryIndexOf(v) is var i && i >= 0 ? i : double.NaN,
        _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
    };

    private static (Func<double, double> X, Func<double, double> Y) Panel(StringBuilder svg, double ox, double oy,
        List<(double X, double Y, bool Pruned)> pts, string xLabel, string yLabel, bool logX, CategoricalDistribution? cat, int w = PanelW, int h = PanelH)
    {
        double x0 = ox + Margin, x1 = ox + w - 12, y0 = oy + h - Margin + 10, y1 = oy + 10;
        Func<double, double> tx = logX ? v => Math.Log10(Math.Max(v, 1e-300)) : v => v;
        var xs = pts.Select(p => tx(p.X)).ToList();
        var ys = pts.Select(p => p.Y).ToList();
        (double lo, double hi) Range(List<double> v) => v.Count == 0 ? (0, 1) : v.Min() == v.Max() ? (v.Min() - 0.5, v.Max() + 0.5) : (v.Min(), v.Max());
        var (xl, xh) = cat != null ? (-0.5, cat.Choices.Count - 0.5) : Range(xs);
        var (yl, yh) = Range(ys);
        double pad = (yh - yl) * 0.05; yl -= pad; yh += pad;
        Func<double, double> sx = v => x0 + (tx(v) - xl) / (xh - xl) * (x1 - x0);
        Func<double, double> sy = v => y0 - (v - yl) / (yh - yl) * (y0 - y1);
        svg.Append($"<rect x=\"{F(x0)}\" y=\"{F(y1)}\" width=\"{F(x1 - x0)}\" height=\"{F(y0 - y1)}\" fill=\"none\" stroke=\"#888\"/>\n");
        foreach (var yv in NiceTicks(yl, yh))
            svg.Append($"<text x=\"{F(x0 - 4)}\" y=\"{F(sy(yv) + 3)}\" text-anchor=\"end\">{Tick(yv)}</text>\n");
        if (cat == null)
            foreach (var xv in logX ? DecadeTicks(xl, xh) : NiceTicks(xl, xh))
                svg.Append($"<text x=\"{F(x0 + (xv - xl) / (xh - xl) * (x1 - x0))}\" y=\"{F(y0 + 12)}\" text-anchor=\"middle\">{(logX ? Tick(Math.Pow(10, xv)) : Tick(xv))}</text>\n");
        if (cat != null)
            for (int i = 0; i < cat.Choices.Count; i++)
                svg.Append($"<text x=\"{F(sx(i))}\" y=\"{F(y0 + 12)}\" text-anchor=\"middle\">{Esc(CategoricalDistribution.Format(cat.Choices[i]))}</text>\n");
        svg.Append($"<text x=\"{F((x0 + x1) / 2)}\" y=\"{F(y0 + 26)}\" text-anchor=\"middle\">{Esc(xLabel)}</text>\n");
        svg.Append($"<text x=\"{F(ox + 11)}\" y=\"{F((y0 + y1) / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 {F(ox + 11)} {F((y0 + y1) / 2)})\">{Esc(yLabel)}</text>\n");
        foreach (var p in pts)
            svg.Append(p.Pruned
                ? $"<circle cx=\"{F(sx(p.X))}\" cy=\"{F(sy(p.Y))}\" r=\"3\" fill=\"none\" stroke=\"#1f77b4\"/>\n"
                : $"<circle cx=\"{F(sx(p.X))}\" cy=\"{F(sy(p.Y))}\" r=\"3\" fill=\"#1f77b4\"/>\n");
        return (sx, sy);
    }

    /// <summary>Ticks at 1, 2 or 5 × 10ᵏ steps inside [lo, hi] (about five of them).</summary>
    private static IEnumerable<double> NiceTicks(double lo, double hi)
    {
        double raw = (hi - lo) / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + 1e-9 * step; t += step) yield return Math.Abs(t) < 1e-12 * step ? 0 : t;
    }

    /// <summary>Whole decades inside [lo, hi] (log10 units); every other one when there are many.</summary>
    private static IEnumerable<double> DecadeTicks(double lo, double hi)
    {
        int a = (int)Math.Ceiling(lo), b = (int)Math.Floor(hi), every = b - a > 6 ? 2 : 1;
        if (b < a) return NiceTicks(lo, hi);
        return Enumerable.Range(a, b - a + 1).Where(k => (k - a) % every == 0).Select(k => (double)k);
    }

    private static StringBuilder Begin(int w, int h, string title) => new StringBuilder()
        .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"10\">\n")
        .Append($"<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{w / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\">{Esc(title)}</text>\n");

    private static string End(StringBuilder svg) => svg.Append("</svg>\n").ToString();
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Tick(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
