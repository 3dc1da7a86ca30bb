using Descent.Optim;

namespace Descent.Schedules;

/// <summary>
/// What the training loop calls to set the learning rate: a base rate α₀, an optional pure schedule
/// (read at the step or the epoch, as the schedule says) and an optional reduce-on-plateau rule
/// (which multiplies the schedule by its own reduction so far).
/// </summary>
/// <example><code>
/// var policy = LearningRatePolicy.Parse("cosine:tmax=10", baseRate: 0.1);
/// for each epoch e: for each step s: { policy.Apply(optimizer, s, e); optimizer.Step(); }  then policy.ReportMetric(validationLoss);
/// </code></example>
public sealed class LearningRatePolicy
{
    /// <summary>A policy from its parts.</summary>
    public LearningRatePolicy(double baseRate, ISchedule? schedule = null, ReduceLrOnPlateau? plateau = null)
    {
        if (!(baseRate >= 0)) throw new ArgumentException($"learning-rate policy: base rate must be ≥ 0, got {baseRate}.");
        BaseRate = baseRate; Schedule = schedule; Plateau = plateau;
    }

    /// <summary>
    /// A policy from a schedule's text form (<see cref="ScheduleSpec"/>) or a plateau rule
    /// (<c>plateau:factor=0.1,patience=10,threshold=1e-4,mode=min,cooldown=0,min_lr=0</c>).
    /// </summary>
    public static LearningRatePolicy Parse(string text, double baseRate)
    {
        var spec = SpecText.Parse(text, "schedule");
        if (spec.Name != "plateau") return new LearningRatePolicy(baseRate, ScheduleSpec.Parse(text).Create());
        spec.Accept("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps");
        string mode = spec.Choice("mode", "min", "min", "max"), tmode = spec.Choice("threshold_mode", "rel", "rel", "abs");
        return new LearningRatePolicy(baseRate, null, new ReduceLrOnPlateau(baseRate, mode == "max", spec.Double("factor", 0.1),
            (int)spec.Long("patience", 10), spec.Double("threshold", 1e-4), tmode == "rel", (int)spec.Long("cooldown", 0),
            spec.Double("min_lr", 0), spec.Double("eps", 1e-8)));
    }

    /// <summary>α₀.</summary>
    public double BaseRate { get; }

    /// <summary>The pure schedule, if any.</summary>
    public ISchedule? Schedule { get; }

    /// <summary>The plateau rule, if any.</summary>
    public ReduceLrOnPlateau? Plateau { get; }

    /// <summary>The learning rate at optimizer step <paramref name="step"/> of epoch <paramref name="epoch"/> (both 0-based).</summary>
    public double At(long step, long epoch)
    {
        double lr = Schedule is null ? BaseRate : Schedule.LearningRate(BaseRate, Schedule.PerStep ? step : epoch);
        if (Plateau is not null && BaseRate != 0) lr *= Plateau.LearningRate / BaseRate;
        return lr;
    }

    /// <summary>Sets <paramref name="optimizer"/>'s learning rate for this step; returns it.</summary>
    public double Apply(IOptimizer optimizer, long step, long epoch) => optimizer.LearningRate = At(step, epoch);

    /// <summary>Feeds the epoch's metric to the plateau rule (no effect without one).</summary>
    public void ReportMetric(double metric) => Plateau?.Step(metric);
}
