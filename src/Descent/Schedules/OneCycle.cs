namespace Descent.Schedules;

/// <summary>
/// One-cycle (Smith &amp; Topin, 2018) — PyTorch's <c>OneCycleLR</c> with cosine annealing, two phases:
/// the base rate is the peak α_max; it starts at α_max / div_factor, rises to α_max by step
/// pct_start·total − 1, then falls to α_max / (div_factor · final_div_factor) at step total − 1.
/// Each phase: α = end + (start − end)·(1 + cos(π·p)) / 2 with p the fraction of the phase done.
/// (Momentum cycling, which PyTorch also does, is not applied.)
/// </summary>
public sealed record OneCycle(long TotalSteps, double PctStart = 0.3, double DivFactor = 25, double FinalDivFactor = 1e4, bool PerStep = true) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        if (TotalSteps < 2) throw new ArgumentException($"one-cycle: total must be ≥ 2, got {TotalSteps}.");
        double initial = baseRate / DivFactor, min = initial / FinalDivFactor;
        double end1 = PctStart * TotalSteps - 1, end2 = TotalSteps - 1;
        return t <= end1
            ? Anneal(initial, baseRate, end1 <= 0 ? 1 : t / end1)
            : Anneal(baseRate, min, Math.Min(1.0, (t - end1) / (end2 - end1)));
    }

    private static double Anneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
}
