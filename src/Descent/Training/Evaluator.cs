using Descent.Nn;

namespace Descent.Training;

/// <summary>Evaluation of a classifier on a whole set: mean loss, accuracy and confusion matrix, in chunks, in eval mode.</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="model"/> in evaluation mode over x [n, d] in chunks of <paramref name="batchSize"/> rows
    /// (no graph recorded) and restores the previous mode. Each chunk is converted to the model's element type (data sets
    /// are float32; a float64 model evaluates float64 rows). <paramref name="classes"/> = 0 takes the model's output width.
    /// </summary>
    public static Evaluation Evaluate(Module model, Tensor x, int[] labels, Func<Tensor, int[], Tensor>? loss = null, int batchSize = 1000, int classes = 0)
    {
        if (x.Rank < 1 || x.Shape[0] != labels.Length)
            throw new ShapeException($"evaluate: {labels.Length} labels for features of shape {Shape.Format(x.Shape)}.");
        loss ??= (z, y) => z.CrossEntropy(y);
        DType? dtype = model.Parameters().FirstOrDefault()?.DType;
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = Autograd.NoGrad();
            double lossSum = 0;
            long correct = 0;
            int[,]? confusion = null;
            int n = labels.Length;
            for (int start = 0; start < n; start += batchSize)
            {
                int count = Math.Min(batchSize, n - start);
                var xb = x.Rows(start, count);   // [count, d]
                if (dtype is { } t && xb.DType != t) xb = xb.To(t);   // data sets are float32; a float64 model gets float64 rows
                var yb = labels.AsSpan(start, count).ToArray();
                var logits = model.Forward(xb);
                int c = classes > 0 ? classes : logits.Shape[1];
                confusion ??= new int[c, c];
                lossSum += loss(logits, yb).Item() * count;
                var pred = logits.ArgMax(1);
                for (int i = 0; i < count; i++)
                {
                    if (pred[i] == yb[i]) correct++;
                    if ((uint)yb[i] < (uint)c && (uint)pred[i] < (uint)c) confusion[yb[i], pred[i]]++;
                }
            }
            return new Evaluation(n == 0 ? double.NaN : lossSum / n, n == 0 ? double.NaN : (double)correct / n, confusion ?? new int[0, 0]);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
