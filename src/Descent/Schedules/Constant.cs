namespace Descent.Schedules;

/// <summary>α(t) = α₀.</summary>
public sealed record Constant(bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) => baseRate;
}
