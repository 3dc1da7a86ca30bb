namespace Descent.Schedules;

/// <summary>
/// The notes' (Andrew Ng's) inverse-time decay: α = α₀ / (1 + decay_rate · t / decay_steps), t the epoch
/// (or the step when <paramref name="PerStep"/>); with <paramref name="Staircase"/>, t / decay_steps is floored.
/// </summary>
/// <remarks>This is Keras' <c>InverseTimeDecay</c>; PyTorch has no built-in equivalent (a <c>LambdaLR</c>).</remarks>
public sealed record InverseTimeDecay(double DecayRate = 1, double DecaySteps = 1, bool Staircase = false, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        double e = t / DecaySteps;
        if (Staircase) e = Math.Floor(e);
        return baseRate / (1 + DecayRate * e);
    }
}
