namespace Descent.Schedules;

/// <summary>
/// Cosine annealing: α = η_min + (α₀ − η_min) · (1 + cos(π·t / T_max)) / 2 — PyTorch's
/// <c>CosineAnnealingLR(T_max, eta_min=0)</c> in closed form (PyTorch updates recursively; the
/// values agree to rounding). Past T_max the cosine rises again, as in PyTorch.
/// </summary>
/// <remarks>Keras' <c>CosineDecay</c> instead holds the final value after decay_steps (and scales with alpha).</remarks>
public sealed record CosineAnnealing(double TMax, double EtaMin = 0, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) =>
        EtaMin + (baseRate - EtaMin) * (1 + Math.Cos(Math.PI * t / TMax)) / 2;
}
