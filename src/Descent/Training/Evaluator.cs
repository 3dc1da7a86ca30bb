using Descent.Data;
using Descent.Losses;
using Descent.Nn;

namespace Descent.Training;

/// <summary>
/// Evaluation of a model on a whole set, in chunks, in eval mode: for a classifier the mean loss, accuracy and confusion
/// matrix; for a regression the mean loss and <see cref="RegressionMetrics"/> (RMSE, MAE, R²).
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="model"/> in evaluation mode over x [n, d] in chunks of <paramref name="batchSize"/> rows
    /// (no graph recorded) and restores the previous mode. Each chunk is converted to the model's element type (data sets
    /// are float32; a float64 model evaluates float64 rows). <paramref name="classes"/> = 0 takes the model's output width.
    /// </summary>
    public static Evaluation Evaluate(Module model, Tensor x, int[] labels, Func<Tensor, int[], Tensor>? loss = null, int batchSize = 1000, int classes = 0)
    {
        var f = loss ?? ((z, y) => z.CrossEntropy(y));
        return Run(model, x, labels, null, (z, t) => f(z, t.Labels!), Reduction.Mean, batchSize, classes, null);
    }

    /// <summary>
    /// Evaluates with <paramref name="loss"/> against class indices <paramref name="labels"/> [n] (classification; a value loss
    /// sees them one-hot) or target values <paramref name="targets"/> [n, k] (regression; then <paramref name="labels"/> is null).
    /// </summary>
    public static Evaluation Evaluate(Module model, Tensor x, int[]? labels, Tensor? targets, ILoss loss, int batchSize = 1000, int classes = 0) =>
        Evaluate(model, x, labels, targets, loss, batchSize, classes, null);

    /// <summary>
    /// As above, with the model's forward pass given: e.g. a <see cref="CapturedStep"/> that records it once per batch
    /// shape and replays it (<see cref="Trainer.Evaluate(Tensor, int[], int)"/>). Its output must be read before the next call.
    /// </summary>
    public static Evaluation Evaluate(Module model, Tensor x, int[]? labels, Tensor? targets, ILoss loss, int batchSize, int classes, Func<Tensor, Tensor>? forward)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (labels is null && targets is null) throw new ArgumentException("evaluate: neither labels nor targets given.");
        return Run(model, x, labels, targets, (z, t) => loss.Of(z, !loss.IsClassification && t.Values is null
            ? t with { Values = LossTargets.OneHot(t.Labels!, z.Shape[1], z.DType) } : t), loss.Reduction, batchSize, classes, forward);
    }

    /// <summary>
    /// Evaluates on a whole data set: a classification set against its labels (loss: cross-entropy unless given), a
    /// regression set against its targets (loss: mse unless given), with <see cref="Evaluation.Regression"/> holding
    /// MSE, RMSE, MAE and R².
    /// </summary>
    public static Evaluation Evaluate(Module model, Dataset data, ILoss? loss = null, int batchSize = 1000) =>
        Evaluate(model, data.FeaturesTensor(), data.IsRegression ? null : data.Labels, data.TargetsTensor(),
            loss ?? (data.IsRegression ? new MseLoss() : new CrossEntropyLoss()), batchSize, data.IsRegression ? 0 : data.ClassCount, null);

    private static Evaluation Run(Module model, Tensor x, int[]? labels, Tensor? targets, Func<Tensor, LossTargets, Tensor> loss,
        Reduction reduction, int batchSize, int classes, Func<Tensor, Tensor>? forward)
    {
        int n = labels?.Length ?? targets!.Shape[0];
        if (x.Rank < 1 || x.Shape[0] != n)
            throw new ShapeException($"evaluate: {n} {(labels is null ? "target rows" : "labels")} for features of shape {Shape.Format(x.Shape)}.");
        var dtype = model.Parameters.FirstOrDefault()?.DType ?? x.DType;   // float32 features meet a float64 model converted, chunk by chunk
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = Autograd.NoGrad();
            double lossSum = 0;
            long correct = 0;
            int[,]? confusion = null;
            RegressionAccumulator? regression = labels is null ? new RegressionAccumulator(n == 0 ? 1 : targets!.Length / n) : null;
            for (int start = 0; start < n; start += batchSize)
            {
                int count = Math.Min(batchSize, n - start);
                var xb = x.Rows(start, count).To(dtype);
                var yb = labels?.AsSpan(start, count).ToArray();
                var output = forward is null ? model.Forward(xb) : forward(xb);
                var tb = targets?.Rows(start, count).To(output.DType);
                double lv = loss(output, new LossTargets(yb, tb)).Item();
                lossSum += reduction == Reduction.Sum ? lv : lv * count;
                if (regression is not null) { regression.Add(output, tb!); continue; }
                int c = classes > 0 ? classes : output.Shape[1];
                confusion ??= new int[c, c];
                var pred = output.ArgMax(1);
                for (int i = 0; i < count; i++)
                {
                    if (pred[i] == yb![i]) correct++;
                    if ((uint)yb[i] < (uint)c && (uint)pred[i] < (uint)c) confusion[yb[i], pred[i]]++;
                }
            }
            double mean = n == 0 ? double.NaN : lossSum / n;
            if (regression is not null) return new Evaluation(mean, double.NaN, new int[0, 0]) { Regression = regression.Result() };
            return new Evaluation(mean, n == 0 ? double.NaN : (double)correct / n, confusion ?? new int[0, 0]);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
