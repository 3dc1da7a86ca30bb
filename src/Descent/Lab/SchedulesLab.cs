using System.Globalization;
using Descent.Plotting;
using Descent.Schedules;

namespace Descent.Lab;

/// <summary>One schedule's learning rate per epoch.</summary>
internal sealed record ScheduleCurve(string Spec, string Formula, string Group, bool PerStep, double[] Rates);

/// <summary>SGD on noisy mini-batch gradients with a constant and with a decaying learning rate: mean f − f* per epoch.</summary>
internal sealed record NoisyDecayRun(string Schedule, double[] GapPerEpoch, double FinalGap);

/// <summary>What <c>descent lab schedules</c> computed.</summary>
internal sealed record SchedulesResult(double BaseRate, int Epochs, int StepsPerEpoch, IReadOnlyList<ScheduleCurve> Curves, IReadOnlyList<NoisyDecayRun> Noisy,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Learning-rate decay over epochs, from the schedules' text forms (<see cref="ScheduleSpec"/>). The notes' decays:
/// inverse-time α₀/(1 + k·epoch), exponential 0.95^epoch·α₀, k/√epoch, k/√t (t counting steps) and a staircase
/// (exponential decay applied in whole steps); then the others (step, multi-step, cosine, cosine with restarts,
/// warm-up + cosine, one-cycle). A per-step schedule is sampled at the first step of each epoch (t = epoch·steps).
/// Then the reason for decay, on a noisy run: SGD on mini-batch gradients of the elongated bowl hovers at a distance
/// from the minimum that grows with α; decaying α shrinks that neighbourhood (the notes: "在最小值的小邻域内波动").
/// </summary>
internal static class SchedulesLab
{
    /// <summary>The lesson of the section.</summary>
    public const string Lesson =
        "With mini-batch gradients a constant α keeps the iterate hovering in a neighbourhood of the minimum whose size grows with α; " +
        "decaying α (α₀/(1 + k·epoch), 0.95^epoch·α₀, k/√epoch …) takes big steps early and shrinks that neighbourhood later.";

    /// <summary>The notes' decays.</summary>
    public static readonly string[] NotesSchedules =
    [
        "inverse-time:decay=1", "exponential:base=0.95", "inverse-sqrt:k=1", "inverse-sqrt:k=1,per=step", "exponential:base=0.7,steps=5,staircase=true",
    ];

    /// <summary>The other common schedules.</summary>
    public static string[] OtherSchedules(int epochs, int stepsPerEpoch) =>
    [
        "constant", $"step:size={Math.Max(1, epochs / 5)},gamma=0.5", $"multi-step:milestones={epochs / 2}/{epochs * 3 / 4},gamma=0.1",
        $"cosine:tmax={epochs}", $"cosine-restarts:t0={Math.Max(1, epochs / 7)},tmult=2", $"warmup:steps={Math.Max(1, epochs / 10)}+cosine:tmax={epochs - Math.Max(1, epochs / 10)}",
        $"one-cycle:total={epochs * stepsPerEpoch}",
    ];

    /// <summary>Evaluates each schedule over <paramref name="epochs"/> epochs, runs the noisy comparison, and draws them.</summary>
    public static SchedulesResult Run(double baseRate, int epochs, int stepsPerEpoch, IReadOnlyList<(string Spec, string Group)> schedules, ulong seed = 0)
    {
        if (!(baseRate > 0)) throw new ArgumentException($"SchedulesLab: the base rate must be > 0, got {baseRate}.");
        if (epochs < 2 || stepsPerEpoch < 1) throw new ArgumentException($"SchedulesLab: need epochs ≥ 2 and steps per epoch ≥ 1, got {epochs} and {stepsPerEpoch}.");
        var curves = new List<ScheduleCurve>();
        foreach (var (spec, group) in schedules)
        {
            var s = ScheduleSpec.Parse(spec);
            var rates = Enumerable.Range(0, epochs + 1).Select(e => s.LearningRate(baseRate, s.PerStep ? (long)e * stepsPerEpoch : e)).ToArray();
            curves.Add(new ScheduleCurve(spec, Formula(spec, stepsPerEpoch), group, s.PerStep, rates));
        }
        var figures = new List<Figure>();
        var noisy = NoisyDecay(seed);
        figures.Add(NoisyFigure(noisy));
        foreach (var group in curves.Select(c => c.Group).Distinct())
        {
            var members = curves.Where(c => c.Group == group).ToList();
            var chart = new LineChart
            {
                Title = $"{group}: learning rate per epoch (α₀ = {baseRate:g3}), log scale",
                XLabel = "epoch",
                YLabel = "learning rate (log)",
                YScale = AxisScale.Log,
            };
            foreach (var c in members) chart.Add(Series.Indexed(c.Formula, c.Rates) with { Steps = Steps(c.Spec) });
            figures.Add(new Figure($"schedules-{InitLab.Slug(group)}.svg", group,
                "Legends give each schedule's formula (the table gives its text form for --schedule); schedules that change in whole steps are drawn as stairs. " +
                "A log axis shows exponential decay as a straight line and keeps the small late rates visible.", chart.ToSvg()));
        }
        return new SchedulesResult(baseRate, epochs, stepsPerEpoch, curves, noisy, figures);
    }

    /// <summary>Whether a schedule changes in whole steps (drawn as stairs).</summary>
    private static bool Steps(string spec) => spec.Contains("staircase=true") || spec.StartsWith("step:", StringComparison.Ordinal) || spec.StartsWith("multi-step:", StringComparison.Ordinal);

    /// <summary>The formula of a text form, in the notes' symbols (the text form itself when it is not one of the known names).</summary>
    public static string Formula(string spec, int stepsPerEpoch)
    {
        if (spec.Contains('+')) return string.Join(", then ", spec.Split('+').Select(s => Formula(s, stepsPerEpoch)));
        int colon = spec.IndexOf(':');
        string name = colon < 0 ? spec : spec[..colon];
        var a = (colon < 0 ? "" : spec[(colon + 1)..]).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        string Arg(string k, string d) => a.TryGetValue(k, out var v) ? v : d;
        return name switch
        {
            "constant" => "α₀",
            "inverse-time" => $"α₀ / (1 + {Arg("decay", "1")}·epoch)",
            "exponential" when Arg("staircase", "false") == "true" => $"{Arg("base", "0.95")}^⌊epoch/{Arg("steps", "1")}⌋ · α₀ (staircase)",
            "exponential" => $"{Arg("base", "0.95")}^epoch · α₀",
            "inverse-sqrt" when Arg("per", "epoch") == "step" => $"{Arg("k", "1")}/√t · α₀ (t = step, {stepsPerEpoch}/epoch)",
            "inverse-sqrt" => $"{Arg("k", "1")}/√epoch · α₀",
            "step" => $"{Arg("gamma", "0.1")}^⌊epoch/{Arg("size", "10")}⌋ · α₀",
            "multi-step" => $"α₀ × {Arg("gamma", "0.1")} at epochs {Arg("milestones", "").Replace("/", ", ")}",
            "cosine" => $"α₀·(1 + cos(π·epoch/{Arg("tmax", "T")}))/2",
            "cosine-restarts" => $"cosine restarting after {Arg("t0", "T₀")} epochs, periods ×{Arg("tmult", "1")}",
            "warmup" => $"linear warm-up over {Arg("steps", "n")} epochs",
            "one-cycle" => $"one cycle up then down over {Arg("total", "n")} steps",
            _ => spec,
        };
    }

    /// <summary>
    /// SGD, x ← x − α_t·g_t, on mini-batch gradients of 0.1x₁² + x₂² (<see cref="MiniBatchGradient"/>, 8 of 256 samples,
    /// 32 steps an epoch) for 40 epochs from (−8, 5): α = 0.5 constant against α_t = 0.5/(1 + 0.5·epoch), the same batches.
    /// </summary>
    public static IReadOnlyList<NoisyDecayRun> NoisyDecay(ulong seed)
    {
        var noise = new MiniBatchGradient(256, 8, seed);
        const int epochs = 40, perEpoch = 32;
        var runs = new List<NoisyDecayRun>();
        foreach (var (name, rate) in new (string, Func<int, double>)[] { ("constant α = 0.5", _ => 0.5), ("α₀ / (1 + 0.5·epoch), α₀ = 0.5", e => 0.5 / (1 + 0.5 * e)) })
        {
            var g = noise.Stream();
            double[] x = [-8, 5];
            var gaps = new double[epochs + 1];
            gaps[0] = Objective.Elongated.F(x);
            for (int e = 0; e < epochs; e++)
            {
                double sum = 0;
                for (int k = 0; k < perEpoch; k++)
                {
                    var grad = g(x);
                    x[0] -= rate(e) * grad[0];
                    x[1] -= rate(e) * grad[1];
                    sum += Objective.Elongated.F(x);
                }
                gaps[e + 1] = sum / perEpoch;
            }
            runs.Add(new NoisyDecayRun(name, gaps, gaps[^1]));
        }
        return runs;
    }

    private static Figure NoisyFigure(IReadOnlyList<NoisyDecayRun> runs)
    {
        var chart = new LineChart { Title = "SGD on noisy mini-batch gradients of 0.1x₁² + x₂²: mean f − f* per epoch", XLabel = "epoch", YLabel = "mean f − f* over the epoch (log)", YScale = AxisScale.Log };
        foreach (var r in runs) chart.Add(Series.Indexed(r.Schedule, r.GapPerEpoch));
        string ratio = (runs[0].FinalGap / runs[1].FinalGap).ToString("0", CultureInfo.InvariantCulture);
        return new Figure("schedules-noisy.svg", "Why decay: a noisy run settles only when α shrinks",
            $"Same batches for both. With α constant the iterate hovers at f − f* ≈ {runs[0].FinalGap:0.###}; decaying α settles {ratio}× closer " +
            $"(f − f* ≈ {runs[1].FinalGap:0.####}) in the same 40 epochs.", chart.ToSvg());
    }
}
