namespace Descent.Library.Tests.Tensors;

public class TensorInteropTests
{
    [Fact]
    public void FromCopiesWrapSharesAndDtypeFollowsTheElementType()
    {
        var a = new float[] { 1, 2, 3, 4 };
        var copy = Tensor.From(a, 2, 2);
        var view = Tensor.Wrap(a, 2, 2);
        a[0] = 9;
        Assert.Equal(1, copy[0, 0]);
        Assert.Equal(9, view[0, 0]);
        Assert.Equal(DType.Float32, Tensor.From(new float[,] { { 1, 2 } }).DType);
        Assert.Equal(DType.Float64, Tensor.From(new double[,] { { 1, 2 } }).DType);
        Assert.Equal(DType.Float64, Tensor.From(new double[] { 1, 2 }).DType);
        Assert.Equal(DType.Float32, Tensor.From(new[] { new float[] { 1, 2 }, [3, 4] }).DType);
        Assert.Equal(DType.Float32, Tensor.From(a.AsSpan(1, 2)).DType);
        Assert.Throws<ShapeException>(() => Tensor.From(new[] { new float[] { 1, 2 }, [3] }));
    }

    [Fact]
    public void ArraysComeBackOutShapePrintsAndIndexersReachEveryDimension()
    {
        var t = Tensor.Arange(0, 24).Reshape(2, 3, 4);
        Assert.Equal("[2, 3, 4]", t.Shape.ToString());
        Assert.Equal(23, t[1, 2, 3]);
        t[0, 1, 2] = -1;
        Assert.Equal(-1, t[6]);
        Assert.Equal(new float[,] { { 1, 2 }, { 3, 4 } }, Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } }).ToArray2D<float>());
        Assert.Equal([1.0, 2.0], Tensor.From(new float[] { 1, 2 }).ToArray<double>());
        Assert.Throws<ShapeException>(() => t[0, 0]);
    }

    [Fact]
    public void SliceAndSelectCopyAndBackPropagate()
    {
        var x = Tensor.Arange(0, 12, dtype: DType.Float64).Reshape(3, 4);
        x.RequiresGrad = true;
        var s = x.Slice(1, 1, 2);                                   // x[:, 1:3]
        Assert.Equal("[3, 2]", s.Shape.ToString());
        Assert.Equal([1.0, 2, 5, 6, 9, 10], s.ToArray<double>());
        var col = x.Select(1, -1);                                  // x[:, -1]
        Assert.Equal([3.0, 7, 11], col.ToArray<double>());
        (s.Sum() + col.Sum() * 2).Backward();
        Assert.Equal([0.0, 1, 1, 2, 0, 1, 1, 2, 0, 1, 1, 2], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void ASecondBackwardThroughAFreedGraphIsAClearError()
    {
        var w = Tensor.From(new double[] { 1, 2 });
        w.RequiresGrad = true;
        var loss = (w * w).Sum();
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("retainGraph", e.Message);
        var again = (w * w).Sum();
        again.Backward(retainGraph: true);
        again.Backward();                                           // retained once: a second pass accumulates
        Assert.Equal([2.0 + 4, 4.0 + 8], w.Grad!.ToArray<double>());
    }
}
