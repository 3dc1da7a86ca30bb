namespace Descent.Training;

/// <summary>
/// Where a <see cref="Trainer"/> stands between epochs: everything, besides the model, optimizer and RNG
/// states, that a resumed run needs to continue exactly. Plain data, saved as JSON in a checkpoint.
/// </summary>
public sealed class TrainerState
{
    /// <summary>The first epoch still to run (0-based).</summary>
    public int NextEpoch { get; set; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step { get; set; }

    /// <summary>Metrics of the finished epochs.</summary>
    public List<EpochMetrics> History { get; set; } = [];

    /// <summary>Lowest validation loss so far (early stopping).</summary>
    public double BestValidationLoss { get; set; } = double.PositiveInfinity;

    /// <summary>Epoch of <see cref="BestValidationLoss"/>, or −1.</summary>
    public int BestEpoch { get; set; } = -1;

    /// <summary>Epochs since the validation loss last improved.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>True once early stopping (or a stop request) ended training.</summary>
    public bool Stopped { get; set; }

    /// <summary>The last finite mini-batch loss (for the divergence message).</summary>
    public double LastGoodLoss { get; set; } = double.NaN;
}
