using Descent.Plotting;
using Descent.Schedules;

namespace Descent.Lab;

/// <summary>One schedule's learning rate per epoch.</summary>
public sealed record ScheduleCurve(string Spec, string Group, bool PerStep, double[] Rates);

/// <summary>What <c>descent lab schedules</c> computed.</summary>
public sealed record SchedulesResult(double BaseRate, int Epochs, int StepsPerEpoch, IReadOnlyList<ScheduleCurve> Curves,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Learning-rate decay over epochs, from the schedules' text forms (<see cref="ScheduleSpec"/>). The notes' decays:
/// inverse-time α₀/(1 + k·epoch), exponential 0.95^epoch·α₀, k/√epoch, k/√t (t counting steps) and a staircase
/// (exponential decay applied in whole steps); then the others (step, multi-step, cosine, cosine with restarts,
/// warm-up + cosine, one-cycle). A per-step schedule is sampled at the first step of each epoch (t = epoch·steps).
/// </summary>
public static class SchedulesLab
{
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

    /// <summary>Evaluates each schedule over <paramref name="epochs"/> epochs and draws them.</summary>
    public static SchedulesResult Run(double baseRate, int epochs, int stepsPerEpoch, IReadOnlyList<(string Spec, string Group)> schedules)
    {
        if (!(baseRate > 0)) throw new ArgumentException($"SchedulesLab: the base rate must be > 0, got {baseRate}.");
        if (epochs < 2 || stepsPerEpoch < 1) throw new ArgumentException($"SchedulesLab: need epochs ≥ 2 and steps per epoch ≥ 1, got {epochs} and {stepsPerEpoch}.");
        var curves = new List<ScheduleCurve>();
        foreach (var (spec, group) in schedules)
        {
            var s = ScheduleSpec.Parse(spec);
            var rates = Enumerable.Range(0, epochs + 1).Select(e => s.LearningRate(baseRate, s.PerStep ? (long)e * stepsPerEpoch : e)).ToArray();
            curves.Add(new ScheduleCurve(spec, group, s.PerStep, rates));
        }
        var figures = new List<Figure>();
        foreach (var group in curves.Select(c => c.Group).Distinct())
        {
            var members = curves.Where(c => c.Group == group).ToList();
            foreach (bool log in new[] { false, true })
            {
                var chart = new LineChart
                {
                    Title = $"{group}: learning rate per epoch (α₀ = {baseRate:g3}){(log ? ", log scale" : "")}",
                    XLabel = "epoch",
                    YLabel = "learning rate" + (log ? " (log)" : ""),
                    YScale = log ? AxisScale.Log : AxisScale.Linear,
                };
                foreach (var c in members) chart.Add(Series.Indexed(c.Spec + (c.PerStep ? $" ({stepsPerEpoch} steps/epoch)" : ""), c.Rates));
                string slug = InitLab.Slug(group);
                figures.Add(new Figure($"schedules-{slug}{(log ? "-log" : "")}.svg", $"{group}{(log ? " (log scale)" : "")}",
                    "Each curve is the schedule's text form, as accepted by --schedule.", chart.ToSvg()));
            }
        }
        return new SchedulesResult(baseRate, epochs, stepsPerEpoch, curves, figures);
    }
}
