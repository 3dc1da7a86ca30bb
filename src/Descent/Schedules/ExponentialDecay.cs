namespace Descent.Schedules;

/// <summary>
/// Exponential decay: α = α₀ · base^(t / decay_steps) (the notes' 0.95^epoch · α₀ with base 0.95);
/// with <paramref name="Staircase"/> the exponent is floored.
/// </summary>
/// <remarks>
/// PyTorch's <c>ExponentialLR(gamma)</c> is base = gamma, decay_steps = 1 (it multiplies by gamma each
/// epoch, so its values differ from this closed form in the last bits only). Keras' <c>ExponentialDecay</c>
/// is the same formula with decay_rate = base.
/// </remarks>
public sealed record ExponentialDecay(double Base = 0.95, double DecaySteps = 1, bool Staircase = false, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        double e = t / DecaySteps;
        if (Staircase) e = Math.Floor(e);
        return baseRate * Math.Pow(Base, e);
    }
}
