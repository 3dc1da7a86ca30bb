using Descent.Lab;
using Descent.Schedules;

namespace Descent.Server.Lab;

/// <summary>One schedule on the schedules page: α per epoch, and SGD's mean f − f* per epoch on noisy gradients under it.</summary>
internal sealed record ScheduleView(string Spec, string Formula, double[] Rates, double[] Gaps);

/// <summary>
/// Learning-rate decay on the library's schedules (<see cref="ScheduleSpec"/>): each schedule's α per epoch from α₀, and
/// SGD, x ← x − α_t·g_t, on mini-batch gradients of 0.1x₁² + x₂² (<see cref="MiniBatchGradient"/>, 8 of 256 samples, 32
/// steps an epoch) from (−8, 5) under it — the same batches for every schedule, as in <c>descent lab schedules</c>.
/// </summary>
internal static class ScheduleExperiment
{
    public const int StepsPerEpoch = 32;

    /// <summary>The schedules offered: the notes' decays, then the other common ones.</summary>
    public static IReadOnlyList<string> Choices(int epochs) => [.. SchedulesLab.NotesSchedules, .. SchedulesLab.OtherSchedules(epochs, StepsPerEpoch)];

    public static IReadOnlyList<ScheduleView> Run(IReadOnlyList<string> specs, double baseRate, int epochs, ulong seed)
    {
        var views = new List<ScheduleView>();
        foreach (string text in specs)
        {
            var spec = ScheduleSpec.Parse(text);
            double Rate(int epoch, int step) => spec.LearningRate(baseRate, spec.PerStep ? (long)epoch * StepsPerEpoch + step : epoch);
            var rates = Enumerable.Range(0, epochs + 1).Select(e => Rate(e, 0)).ToArray();
            var gradient = new MiniBatchGradient(256, 8, seed).Stream();
            double[] x = [-8, 5];
            var gaps = new double[epochs + 1];
            gaps[0] = Objective.Elongated.F(x);
            for (int e = 0; e < epochs; e++)
            {
                double sum = 0;
                for (int k = 0; k < StepsPerEpoch; k++)
                {
                    var g = gradient(x);
                    double a = Rate(e, k);
                    x[0] -= a * g[0];
                    x[1] -= a * g[1];
                    sum += Objective.Elongated.F(x);
                }
                gaps[e + 1] = double.IsFinite(sum) ? sum / StepsPerEpoch : double.PositiveInfinity;
            }
            views.Add(new ScheduleView(text, SchedulesLab.Formula(text, StepsPerEpoch), rates, gaps));
        }
        return views;
    }
}
