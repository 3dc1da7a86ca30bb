namespace Descent.Schedules;

/// <summary>α = α₀ · γ^⌊t / step_size⌋ — PyTorch's <c>StepLR(step_size, gamma=0.1)</c>.</summary>
public sealed record StepDecay(long StepSize, double Gamma = 0.1, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        if (StepSize <= 0) throw new ArgumentException($"step: step_size must be ≥ 1, got {StepSize}.");
        return baseRate * Math.Pow(Gamma, t / StepSize);
    }
}
