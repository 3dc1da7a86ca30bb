namespace Descent.Schedules;

/// <summary>
/// α = α₀ · γ^(number of milestones ≤ t) — PyTorch's <c>MultiStepLR(milestones, gamma=0.1)</c>
/// (Keras: <c>PiecewiseConstantDecay</c> with values α₀·γ^i).
/// </summary>
public sealed record MultiStepDecay(IReadOnlyList<long> Milestones, double Gamma = 0.1, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        int passed = 0;
        for (int i = 0; i < Milestones.Count; i++) if (Milestones[i] <= t) passed++;
        return baseRate * Math.Pow(Gamma, passed);
    }
}
