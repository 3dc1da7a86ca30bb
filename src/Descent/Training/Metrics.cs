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

/// <summary>What one epoch measured. Validation figures are NaN without a validation set; accuracies are NaN for a
/// regression set, RMSE and R² NaN for a classification set.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double SamplesPerSecond, double Seconds, double GradientNorm)
{
    /// <summary>Root-mean-square error of the training batches as they were trained (regression).</summary>
    public double TrainRmse { get; init; } = double.NaN;

    /// <summary>R² of the training batches as they were trained (regression).</summary>
    public double TrainR2 { get; init; } = double.NaN;

    /// <summary>RMSE on the validation set (regression).</summary>
    public double ValidationRmse { get; init; } = double.NaN;

    /// <summary>R² on the validation set (regression).</summary>
    public double ValidationR2 { get; init; } = double.NaN;
}

/// <summary>Loss and accuracy of a model on a dataset, with the per-class view; or, for a regression set, its errors.</summary>
/// <param name="Loss">Mean loss per example.</param>
/// <param name="Accuracy">Fraction classified correctly (NaN for regression).</param>
/// <param name="Confusion">Confusion matrix [true class, predicted class] (counts; empty for regression).</param>
public sealed record Evaluation(double Loss, double Accuracy, int[,] Confusion)
{
    /// <summary>The regression errors (RMSE, MAE, R²), or null for a classification set.</summary>
    public RegressionMetrics? Regression { get; init; }

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

/// <summary>
/// Errors of a regression over n examples and k outputs ŷ against targets y:
/// RMSE = √(Σ (ŷ − y)² / nk), MAE = Σ |ŷ − y| / nk, and R² = 1 − SSE/SST per output, averaged over the outputs
/// (scikit-learn's <c>r2_score</c> with 'uniform_average'; SST = Σ (y − ȳ)², so predicting ȳ scores 0).
/// </summary>
/// <param name="Rmse">Root-mean-square error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="R2">Coefficient of determination, averaged over the outputs.</param>
public sealed record RegressionMetrics(double Rmse, double Mae, double R2)
{
    /// <summary>Mean squared error, Σ (ŷ − y)² / nk (= RMSE², PyTorch's <c>MSELoss</c> with mean reduction).</summary>
    public double Mse => Rmse * Rmse;

    /// <summary>The errors of predictions ŷ [n, …] against targets y of the same shape (each row one example).</summary>
    public static RegressionMetrics Of(Tensor prediction, Tensor target)
    {
        if (prediction.Rank == 0 || !Shape.Equal(prediction.Shape, target.Shape))
            throw new ShapeException($"regression metrics: prediction {prediction.Shape} and target {target.Shape} must have the same shape, rows first.");
        var acc = new RegressionAccumulator(prediction.Shape[0] == 0 ? 1 : prediction.Length / prediction.Shape[0]);
        acc.Add(prediction, target);
        return acc.Result();
    }
}

/// <summary>Classification scores of logits (or probabilities) [n, classes] against class indices [n].</summary>
public static class ClassificationMetrics
{
    /// <summary>The fraction of rows whose arg max is the label (NaN for no rows).</summary>
    public static double Accuracy(Tensor logits, int[] labels)
    {
        if (logits.Rank != 2 || logits.Shape[0] != labels.Length)
            throw new ShapeException($"accuracy: logits must be [{labels.Length}, classes] for {labels.Length} labels, got {logits.Shape}.");
        return labels.Length == 0 ? double.NaN : (double)Trainer.CountCorrect(logits, labels) / labels.Length;
    }

    /// <summary>The confusion matrix [true class, predicted class] (counts) of logits [n, classes] against labels [n].</summary>
    public static int[,] Confusion(Tensor logits, int[] labels)
    {
        if (logits.Rank != 2 || logits.Shape[0] != labels.Length)
            throw new ShapeException($"confusion: logits must be [{labels.Length}, classes] for {labels.Length} labels, got {logits.Shape}.");
        int c = logits.Shape[1];
        var m = new int[c, c];
        var predicted = logits.ArgMax(1);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)c) throw new ArgumentOutOfRangeException(nameof(labels), $"confusion: label {labels[i]} at row {i} is outside 0..{c - 1}.");
            m[labels[i], predicted[i]]++;
        }
        return m;
    }
}

/// <summary>Accumulates <see cref="RegressionMetrics"/> batch by batch, in double (sums in a fixed order, so deterministic).</summary>
public sealed class RegressionAccumulator(int outputs)
{
    private readonly double[] _sse = new double[outputs], _sum = new double[outputs], _sumSq = new double[outputs];
    private double _sae;
    private long _rows;

    /// <summary>Adds predictions [rows, …] against targets of the same shape, <c>outputs</c> values a row.</summary>
    public void Add(Tensor prediction, Tensor target)
    {
        if (!Shape.Equal(prediction.Shape, target.Shape) || prediction.Rank < 1 || prediction.Length != prediction.Shape[0] * outputs)
            throw new ShapeException($"regression metrics: prediction {Shape.Format(prediction.Shape)} and target {Shape.Format(target.Shape)} must both be [rows, {outputs}].");
        int rows = prediction.Shape[0];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < outputs; j++)
            {
                double p = prediction[i * outputs + j], y = target[i * outputs + j], e = p - y;
                _sse[j] += e * e; _sae += Math.Abs(e); _sum[j] += y; _sumSq[j] += y * y;
            }
        _rows += rows;
    }

    /// <summary>Forgets everything added.</summary>
    public void Clear()
    {
        Array.Clear(_sse); Array.Clear(_sum); Array.Clear(_sumSq);
        _sae = 0; _rows = 0;
    }

    /// <summary>The metrics so far (NaN without rows; R² NaN when a target is constant).</summary>
    public RegressionMetrics Result()
    {
        if (_rows == 0) return new RegressionMetrics(double.NaN, double.NaN, double.NaN);
        double n = _rows, sse = _sse.Sum(), r2 = 0;
        for (int j = 0; j < outputs; j++)
        {
            double sst = _sumSq[j] - _sum[j] * _sum[j] / n;
            r2 += sst > 0 ? 1 - _sse[j] / sst : double.NaN;
        }
        return new RegressionMetrics(Math.Sqrt(sse / (n * outputs)), _sae / (n * outputs), r2 / outputs);
    }
}
