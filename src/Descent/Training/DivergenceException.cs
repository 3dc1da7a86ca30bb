namespace Descent.Training;

/// <summary>
/// Training produced a NaN or infinite loss. Says at which step, what the last finite loss was, and what to try.
/// </summary>
public sealed class DivergenceException(long step, int epoch, double loss, double lastGoodLoss, double learningRate)
    : Exception($"training diverged at step {step} (epoch {epoch + 1}): loss became {loss}; last finite loss {lastGoodLoss:G5} at learning rate {learningRate:G3}. " +
                "Try a lower learning rate (e.g. a tenth), gradient clipping (--clip-norm 1), or check the input scale (normalize the features).")
{
    /// <summary>Global step at which the loss stopped being finite.</summary>
    public long Step { get; } = step;

    /// <summary>0-based epoch of that step.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; } = loss;

    /// <summary>The last finite mini-batch loss (NaN if none).</summary>
    public double LastGoodLoss { get; } = lastGoodLoss;
}
