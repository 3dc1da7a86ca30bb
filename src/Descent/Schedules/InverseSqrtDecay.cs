namespace Descent.Schedules;

/// <summary>
/// The notes' α = k / √epoch · α₀ (or k / √t · α₀ per step when <paramref name="PerStep"/>); t = 0 counts
/// as 1, so the first epoch runs at k·α₀.
/// </summary>
public sealed record InverseSqrtDecay(double K = 1, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) => baseRate * K / Math.Sqrt(Math.Max(t, 1));
}
