namespace Descent.Training;

/// <summary>What one optimizer step measured.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Global 0-based step index (the step just taken).</param>
/// <param name="StepInEpoch">0-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Loss">Mini-batch loss (data term, plus any penalty).</param>
/// <param name="Accuracy">Mini-batch accuracy (classification), else NaN.</param>
/// <param name="LearningRate">Learning rate used for this step.</param>
/// <param name="GradientNorm">Global L2 norm of the gradients before clipping.</param>
/// <param name="SamplesPerSecond">Training throughput over the epoch so far.</param>
public sealed record StepMetrics(int Epoch, long Step, int StepInEpoch, int StepsPerEpoch, double Loss, double Accuracy,
    double LearningRate, double GradientNorm, double SamplesPerSecond);

/// <summary>What one epoch measured. Validation figures are NaN without a validation set.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double SamplesPerSecond, double Seconds, double GradientNorm);

/// <summary>Loss and accuracy of a model on a dataset, with the per-class view.</summary>
/// <param name="Loss">Mean loss.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Confusion">Confusion matrix [true class, predicted class] (counts).</param>
public sealed record Evaluation(double Loss, double Accuracy, int[,] Confusion)
{
    /// <summary>Accuracy per true class (NaN for a class with no sample).</summary>
    public double[] PerClassAccuracy()
    {
        int c = Confusion.GetLength(0);
        var r = new double[c];
        for (int i = 0; i < c; i++)
        {
            long total = 0;
            for (int j = 0; j < c; j++) total += Confusion[i, j];
            r[i] = total == 0 ? double.NaN : (double)Confusion[i, i] / total;
        }
        return r;
    }
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epochs">Per-epoch metrics, in order (including epochs run before a resume).</param>
/// <param name="StoppedEarly">True when early stopping ended training.</param>
/// <param name="BestEpoch">Epoch whose weights the model holds at the end (the best validation loss with early stopping that restores, else the last).</param>
/// <param name="Seconds">Wall time of this call.</param>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> Epochs, bool StoppedEarly, int BestEpoch, double Seconds);
