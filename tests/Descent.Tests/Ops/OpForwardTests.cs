namespace Descent.Tests.Ops;

/// <summary>Forward values, broadcasting, views and error messages.</summary>
public class OpForwardTests
{
    [Fact]
    public void BroadcastingFollowsNumPy()
    {
        var col = Tensor.From(new float[] { 1, 2, 3 }, 3, 1);
        var row = Tensor.From(new float[] { 10, 20 }, 2);
        var y = col + row;
        Assert.Equal(new[] { 3, 2 }, y.ShapeArray);
        Assert.Equal(new double[] { 11, 21, 12, 22, 13, 23 }, y.ToArray());
    }

    [Fact]
    public void ShapeErrorsNameTheOpAndBothShapes()
    {
        var e = Assert.Throws<ShapeException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
        var m = Assert.Throws<ShapeException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(2, 3)));
        Assert.Contains("matmul", m.Message);
        Assert.Contains("[2, 3]", m.Message);
    }

    [Fact]
    public void ReshapeAndRowsAreViews()
    {
        var x = Tensor.Arange(0, 6).Reshape(2, 3);
        var r = x.Rows(1, 1);
        x[4] = 40;
        Assert.Equal(40, r[1]);
        Assert.Equal(new[] { 1, 3 }, r.ShapeArray);
        Assert.Equal(new[] { 3, 2 }, x.Reshape(-1, 2).ShapeArray);
        Assert.Throws<ShapeException>(() => x.Reshape(4, -1));
    }

    [Fact]
    public void CreationHelpers()
    {
        Assert.Equal(new double[] { 0, 0.25, 0.5, 0.75, 1 }, Tensor.Linspace(0, 1, 5).ToArray());
        Assert.Equal(new double[] { 1, 3, 5 }, Tensor.Arange(1, 6, 2).ToArray());
        Assert.Equal(7.0, Tensor.Full(7, DType.Float64, 2, 2)[1, 1]);
        Assert.Equal(DType.Float64, Tensor.Ones(DType.Float64, 3).DType);
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        var x = Tensor.From(new float[] { 1000, 1001, 1002 }, 1, 3);
        var p = x.Softmax();
        Assert.All(p.ToArray(), v => Assert.True(double.IsFinite(v)));
        Assert.Equal(1.0, p.Sum().Item(), 6);
        var l = x.LogSoftmax();
        Assert.Equal(Math.Log(p[2]), l[2], 4);
    }

    [Fact]
    public void ReductionsAndArgMax()
    {
        var x = Tensor.From(new double[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.Equal(new double[] { 9, 12 }, x.Sum(1).ToArray());
        Assert.Equal(new double[] { 5, 7, 9 }, x.Sum(0).ToArray());
        Assert.Equal(new[] { 1, 2 }, x.ArgMax(1));
        Assert.Equal(new[] { 1, 0, 1 }, x.ArgMax(0));
        Assert.Equal(new double[] { 5, 6 }, x.Max(1).ToArray());
        Assert.Equal(3.5, x.Mean().Item());
        Assert.Equal(3.5, x.Var().Item(), 12); // unbiased: Σ(x − 3.5)² / 5 = 17.5 / 5
    }

    [Fact]
    public void ErfMatchesKnownValues()
    {
        foreach (var (x, e) in new[] { (1.0, 0.8427007929497149), (-2.0, -0.9953222650189527), (3.0, 0.9999779095030014), (4.0, 0.9999999845827421), (0.1, 0.1124629160182849) })
            Assert.True(Math.Abs(SpecialFunctions.Erf(x) - e) <= 4e-16, $"erf({x}) = {SpecialFunctions.Erf(x):R}, expected {e:R}");
        Assert.Equal(0.0, SpecialFunctions.Erf(0));
    }
}
