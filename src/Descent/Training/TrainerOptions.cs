using Descent.Kernels;
namespace Descent.Training;

/// <summary>Settings of <see cref="Trainer"/>; the defaults are those of <c>descent train</c>.</summary>
public sealed class TrainerOptions
{
    /// <summary>Number of passes over the training set.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Clip the global L2 norm of the gradients to this value before each step (null: no clipping).</summary>
    public double? ClipNorm { get; set; }

    /// <summary>Clip every gradient element to [−v, v] before each step (null: no clipping).</summary>
    public double? ClipValue { get; set; }

    /// <summary>Stop when the validation loss has not improved by <see cref="MinDelta"/> for this many epochs (null: never).</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Smallest decrease of the validation loss that counts as an improvement.</summary>
    public double MinDelta { get; set; }

    /// <summary>With early stopping, put back the weights of the best epoch at the end (Keras' restore_best_weights).</summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>
    /// Threads the kernels of this trainer's steps and evaluations may use (the calling thread included), or 0 for the
    /// process default (<see cref="Kernels.Threading.MaxThreads"/>). Results do not depend on it, bit for bit.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Rows per forward pass when evaluating (memory bound only; results do not depend on it).</summary>
    public int EvaluationBatchSize { get; set; } = 1000;

    /// <summary>
    /// The decay d of the exponential moving average of the weights (0: off; see <see cref="WeightAverage"/>): updated
    /// after every step, evaluated after every epoch, and written over the model's weights at the end of <see cref="Trainer.Fit"/>.
    /// </summary>
    public double Ema { get; set; }

    /// <summary>Report a <see cref="StepMetrics"/> every this many steps (and at the last step of each epoch).</summary>
    public int ReportEvery { get; set; } = 10;

    /// <summary>Throws with a clear message when a setting is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1, got {Epochs}.");
        if (Threads < 0) throw new ArgumentException($"threads must be ≥ 0 (0: the process default), got {Threads}.");
        if (ClipNorm is { } n && !(n > 0)) throw new ArgumentException($"clip norm must be > 0, got {n}.");
        if (ClipValue is { } v && !(v > 0)) throw new ArgumentException($"clip value must be > 0, got {v}.");
        if (EarlyStoppingPatience is { } p && p < 1) throw new ArgumentException($"early-stopping patience must be ≥ 1, got {p}.");
        if (EvaluationBatchSize < 1) throw new ArgumentException($"evaluation batch size must be ≥ 1, got {EvaluationBatchSize}.");
        if (!(Ema >= 0 && Ema < 1)) throw new ArgumentException($"EMA decay must be in [0, 1) (0: off), got {Ema}.");
        if (ReportEvery < 1) throw new ArgumentException($"report interval must be ≥ 1, got {ReportEvery}.");
    }
}
