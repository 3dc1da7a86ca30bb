namespace Descent.Schedules;

/// <summary>
/// Linear warm-up: α = α₀ · min(1, (t + 1) / W) over the first W steps (or epochs), then α₀. The
/// same as PyTorch's <c>LambdaLR(lambda t: min(1, (t + 1) / W))</c>, or <c>LinearLR(start_factor=1/W,
/// total_iters=W−1)</c>. Join it with a decay through <see cref="JoinedSchedule"/> (warm-up, then decay).
/// </summary>
public sealed record LinearWarmup(long Steps, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) =>
        Steps <= 0 ? baseRate : baseRate * Math.Min(1.0, (t + 1) / (double)Steps);
}
