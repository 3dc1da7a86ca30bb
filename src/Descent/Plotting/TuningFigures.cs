using System.Globalization;
using Descent.Tuning;

namespace Descent.Plotting;

/// <summary>
/// The figures of a study, drawn with <see cref="LineChart"/>: one per parameter (the parameter against the metric,
/// on the parameter's own scale: a log axis for log-uniform α and log-int, 1 − β on a log axis for β-like
/// parameters, choice index for categoricals), and the best value so far against the trial number. Complete and
/// pruned trials are separate marker series. <see cref="AddToReport"/> writes them into a <see cref="ReportPage"/>.
/// </summary>
internal static class TuningFigures
{
    /// <summary>All figures of the study: one per parameter, then best so far.</summary>
    public static IReadOnlyList<Figure> All(StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        var figures = study.Space.Parameters.Select(p => ParameterVsMetric(study, trials, p.Key, p.Value)).ToList();
        figures.Add(BestSoFar(study, trials));
        return figures;
    }

    /// <summary>One parameter (x) against the trial's value (y), complete and pruned trials as separate dots.</summary>
    public static Figure ParameterVsMetric(StudyInfo study, IReadOnlyList<TrialRecord> trials, string name, Distribution d)
    {
        var done = Finished(trials).Where(t => t.Params.ContainsKey(name)).ToList();
        double X(TrialRecord t) => d switch
        {
            OneMinusLogUniformDistribution => 1 - Convert.ToDouble(t.Params[name], CultureInfo.InvariantCulture),
            CategoricalDistribution c => c.TryIndexOf(t.Params[name]) is var i && i >= 0 ? i : double.NaN,
            _ => Convert.ToDouble(t.Params[name], CultureInfo.InvariantCulture),
        };
        bool log = d is LogUniformDistribution or OneMinusLogUniformDistribution or IntDistribution { Log: true };
        string xLabel = d switch
        {
            OneMinusLogUniformDistribution => $"1 − {name}",
            CategoricalDistribution c => $"{name} ({string.Join(", ", c.Choices.Select((v, i) => $"{i} = {CategoricalDistribution.Format(v)}"))})",
            _ => name,
        };
        var chart = new LineChart
        {
            Title = $"{study.Name}: {study.Metric} vs {name}", XLabel = xLabel, YLabel = study.Metric,
            XScale = log ? AxisScale.Log : AxisScale.Linear, Width = 560, Height = 380,
            XRange = d is CategoricalDistribution cd ? (-0.5, cd.Choices.Count - 0.5) : null,
        };
        AddDots(chart, done, X);
        return new Figure($"tune-{Slug(study.Name)}-{Slug(name)}.svg", $"{study.Metric} vs {name}",
            $"Each finished trial of study {study.Name}: {name} against the final {study.Metric} (pruned trials at the epoch they were stopped).", chart.ToSvg());
    }

    /// <summary>Every finished trial's value by trial number (dots) and the best complete value so far (a step line).</summary>
    public static Figure BestSoFar(StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        var done = Finished(trials).OrderBy(t => t.Number).ToList();
        var chart = new LineChart { Title = $"{study.Name}: best {study.Metric} so far", XLabel = "trial", YLabel = study.Metric, Width = 720, Height = 400 };
        var xs = new List<double>();
        var ys = new List<double>();
        double best = double.NaN;
        foreach (var t in done.Where(t => t.State == TrialState.Complete))
        {
            double v = t.Value!.Value;
            if (!double.IsNaN(best)) { xs.Add(t.Number); ys.Add(best); } // the step
            if (double.IsNaN(best) || (study.Direction == Direction.Minimize ? v < best : v > best)) best = v;
            xs.Add(t.Number); ys.Add(best);
        }
        chart.Add("best so far", xs, ys);
        AddDots(chart, done, t => t.Number);
        return new Figure($"tune-{Slug(study.Name)}-best-so-far.svg", $"best {study.Metric} so far",
            $"Study {study.Name}: each finished trial's {study.Metric} by trial number, and the best so far.", chart.ToSvg());
    }

    /// <summary>Writes the figures into the report folder (SVG files + its index.html); returns their paths.</summary>
    public static IReadOnlyList<string> AddToReport(string folder, StudyInfo study, IReadOnlyList<TrialRecord> trials)
    {
        var page = ReportPage.Open(folder);
        var figures = All(study, trials).ToList();
        page.CheckWritable(figures.Select(f => f.FileName));
        var paths = figures.Select(f => page.AddFigure(f.FileName, f.Svg, $"Tuning: study {study.Name}", f.Title, f.Caption)).ToList();
        page.Save();
        paths.Add(page.PagePath);
        return paths;
    }

    private static List<TrialRecord> Finished(IReadOnlyList<TrialRecord> trials) =>
        trials.Where(t => t.IsFinished && t.Value is { } v && double.IsFinite(v)).ToList();

    /// <summary>Scatter as a marker series whose points are separated by NaN (so no line joins them).</summary>
    private static void AddDots(LineChart chart, List<TrialRecord> trials, Func<TrialRecord, double> x)
    {
        foreach (var (state, label) in new[] { (TrialState.Complete, "complete"), (TrialState.Pruned, "pruned") })
        {
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (var t in trials.Where(t => t.State == state))
            {
                xs.Add(x(t)); ys.Add(t.Value!.Value);
                xs.Add(double.NaN); ys.Add(double.NaN);
            }
            if (xs.Count > 0) chart.Add(label, xs, ys, markers: true);
        }
    }

    private static string Slug(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
