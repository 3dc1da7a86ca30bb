namespace Descent.Schedules;

/// <summary>
/// Reduce the learning rate when a metric stops improving — PyTorch's <c>ReduceLROnPlateau</c>, same
/// defaults. Unlike the pure schedules it keeps state (the best value, epochs without improvement),
/// driven by <see cref="Step"/> with the metric after each epoch.
/// </summary>
/// <remarks>
/// A value improves on the best when (mode min, threshold mode rel) m &lt; best·(1 − threshold), (abs)
/// m &lt; best − threshold; mode max mirrors it. After more than <c>patience</c> epochs without
/// improvement: α ← max(α·factor, min_lr) (skipped when the change is ≤ eps), then <c>cooldown</c> epochs
/// pass before counting again. Keras' <c>ReduceLROnPlateau</c> is the same rule with min_delta as an
/// absolute threshold.
/// </remarks>
public sealed class ReduceLrOnPlateau
{
    /// <summary>Starts at <paramref name="initialRate"/>.</summary>
    public ReduceLrOnPlateau(double initialRate, bool maximize = false, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, bool relativeThreshold = true, int cooldown = 0, double minRate = 0, double eps = 1e-8)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentException($"plateau: factor must be in (0, 1), got {factor}.");
        if (patience < 0 || cooldown < 0) throw new ArgumentException($"plateau: patience and cooldown must be ≥ 0, got {patience} and {cooldown}.");
        LearningRate = initialRate; Maximize = maximize; Factor = factor; Patience = patience; Threshold = threshold;
        RelativeThreshold = relativeThreshold; Cooldown = cooldown; MinRate = minRate; Eps = eps;
        Best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>The current learning rate.</summary>
    public double LearningRate { get; private set; }

    /// <summary>Whether a larger metric is better (accuracy) rather than smaller (loss).</summary>
    public bool Maximize { get; }

    /// <summary>The multiplier applied on a plateau.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement tolerated before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The least change that counts as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative to the best value (PyTorch's 'rel') or absolute ('abs').</summary>
    public bool RelativeThreshold { get; }

    /// <summary>Epochs to wait after a reduction before counting again.</summary>
    public int Cooldown { get; }

    /// <summary>The learning rate never goes below this.</summary>
    public double MinRate { get; }

    /// <summary>Reductions smaller than this are skipped.</summary>
    public double Eps { get; }

    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Epochs since the last improvement.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownLeft { get; private set; }

    /// <summary>Records the metric of an epoch; returns the learning rate to use next.</summary>
    public double Step(double metric)
    {
        if (IsBetter(metric)) { Best = metric; BadEpochs = 0; }
        else BadEpochs++;
        if (CooldownLeft > 0) { CooldownLeft--; BadEpochs = 0; }
        if (BadEpochs > Patience)
        {
            double next = Math.Max(LearningRate * Factor, MinRate);
            if (LearningRate - next > Eps) LearningRate = next;
            CooldownLeft = Cooldown;
            BadEpochs = 0;
        }
        return LearningRate;
    }

    private bool IsBetter(double m)
    {
        if (double.IsNaN(m)) return false;
        if (Maximize) return RelativeThreshold ? m > Best * (1 + Threshold) : m > Best + Threshold;
        return RelativeThreshold ? m < Best * (1 - Threshold) : m < Best - Threshold;
    }

    /// <summary>The state (for checkpoints): rate, best, bad epochs, cooldown left.</summary>
    public (double Rate, double Best, int BadEpochs, int CooldownLeft) GetState() => (LearningRate, Best, BadEpochs, CooldownLeft);

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState((double Rate, double Best, int BadEpochs, int CooldownLeft) s)
    {
        LearningRate = s.Rate; Best = s.Best; BadEpochs = s.BadEpochs; CooldownLeft = s.CooldownLeft;
    }
}
