using Descent.Data;
using Descent.Training;

namespace Descent.Library.Tests.Data;

public class TensorDatasetTests
{
    [Fact]
    public void FromTensorsKeepsTargetShapeThroughSplitAndLoader()
    {
        var x = Tensor.Arange(0, 24).Reshape(6, 4);                  // [6, 4]
        var y = Tensor.Arange(0, 12).Reshape(6, 2, 1);               // [6, 2, 1] targets of any shape
        var data = Dataset.FromTensors(x, y);
        Assert.Equal([2, 1], data.TargetShape);
        var (train, test) = Split.TrainTest(data, 0.5, seed: 1);
        Assert.Equal((3, 3), (train.Count, test.Count));
        var loader = new DataLoader(train, batchSize: 2, shuffle: false);
        Assert.True(loader.Next(out var b));
        Assert.Equal("[2, 2, 1]", b.Targets!.Shape.ToString());
        Assert.Equal(train.Features[4], b.X[1, 0]);
    }

    [Fact]
    public void FromTensorsCopies()
    {
        var xs = new float[,] { { 1, 2 }, { 3, 4 } };
        var data = Dataset.FromArrays(xs, [0, 1]);
        xs[0, 0] = 99;
        Assert.Equal(1f, data.Features[0]);
        Assert.Equal(2, data.ClassCount);
    }

    [Fact]
    public void CopyBatchesGivesBatchesThatCanBeKept()
    {
        var data = Dataset.FromArrays(new float[,] { { 1 }, { 2 }, { 3 }, { 4 } }, new float[] { 1, 2, 3, 4 });
        var kept = new List<Batch>();
        foreach (var b in new DataLoader(data, 2, shuffle: false, copyBatches: true).Batches(0)) kept.Add(b);
        Assert.Equal([1f, 2f], kept[0].X.ToArray<float>());
        Assert.Equal([3f, 4f], kept[1].X.ToArray<float>());
        var reused = new List<Batch>();
        foreach (var b in new DataLoader(data, 2, shuffle: false).Batches(0)) reused.Add(b);
        Assert.Same(reused[0].X, reused[1].X);                       // the default: one buffer, refilled
    }

    [Fact]
    public void NormalizerOnTensorsMatchesTheDatasetPath()
    {
        var x = Tensor.From(new float[,] { { 1, 10 }, { 3, 30 }, { 5, 20 } });
        var byTensor = Normalizer.Fit(x);
        var bySet = Normalizer.Fit(Dataset.FromTensors(x, [0, 1, 0]));
        Assert.Equal(bySet.Parameters.Mean, byTensor.Parameters.Mean);
        var z = byTensor.Transform(x);
        Assert.Equal(bySet.Transform(Dataset.FromTensors(x, [0, 1, 0])).Features, z.ToArray<float>());
        Assert.Equal(0, z[0, 0] + z[1, 0] + z[2, 0], 5);
    }

    [Fact]
    public void RegressionAndClassificationMetrics()
    {
        var p = Tensor.From(new float[,] { { 1 }, { 2 }, { 4 } });
        var y = Tensor.From(new float[,] { { 1 }, { 3 }, { 3 } });
        var m = RegressionMetrics.Of(p, y);
        Assert.Equal(2.0 / 3, m.Mse, 6);
        Assert.Equal(Math.Sqrt(2.0 / 3), m.Rmse, 6);
        Assert.Equal(2.0 / 3, m.Mae, 6);
        Assert.Equal(1 - 2.0 / (8.0 / 3), m.R2, 6);               // SST = Σ (y − 7/3)² = 8/3
        var logits = Tensor.From(new float[,] { { 2, 1 }, { 0, 3 }, { 5, 1 } });
        Assert.Equal(2.0 / 3, ClassificationMetrics.Accuracy(logits, [0, 1, 1]), 10);
        Assert.Equal(1, ClassificationMetrics.Confusion(logits, [0, 1, 1])[1, 0]);
    }
}
