namespace Descent.Schedules;

/// <summary>α(t) = α₀: a constant learning rate (named apart from the <see cref="Init.Constant"/> initializer, PyTorch's <c>ConstantLR</c> without a factor).</summary>
public sealed record ConstantRate(bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) => baseRate;
}
