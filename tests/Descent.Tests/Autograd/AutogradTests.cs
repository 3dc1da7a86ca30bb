namespace Descent.Tests.Autograd;

public class AutogradTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.From(new double[] { 2.0 }); x.RequiresGrad = true;
        (x * x).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal(8.0, x.Grad![0]); // 2·(2x) = 8
    }

    [Fact]
    public void ReusedTensorSumsItsPaths()
    {
        var x = Tensor.From(new double[] { 3.0 }); x.RequiresGrad = true;
        var y = x * x + x.Exp() * x;   // dy/dx = 2x + eˣ(1 + x)
        y.Sum().Backward();
        Assert.Equal(6 + Math.Exp(3) * 4, x.Grad![0], 10);
    }

    [Fact]
    public void NoGradAndDetachStopRecording()
    {
        var x = Tensor.From(new double[] { 1.0, 2.0 }); x.RequiresGrad = true;
        using (Descent.Autograd.NoGrad())
        {
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        var z = (x * d).Sum();
        z.Backward();
        Assert.Equal(new[] { 1.0, 2.0 }, x.Grad!.ToArray()); // d is a constant
    }

    [Fact]
    public void BackwardNeedsScalarOrExplicitGradient()
    {
        var x = Tensor.From(new double[] { 1.0, 2.0 }); x.RequiresGrad = true;
        var y = x * 3.0;
        Assert.Throws<ShapeException>(() => y.Backward());
        y.Backward(Tensor.From(new double[] { 1.0, 10.0 }));
        Assert.Equal(new[] { 3.0, 30.0 }, x.Grad!.ToArray());
    }

    [Fact]
    public void BackwardWithoutGradThrowsClearly()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(1).Backward());
        Assert.Contains("RequiresGrad", e.Message);
    }

    [Fact]
    public void RetainGradKeepsIntermediateGradients()
    {
        var x = Tensor.From(new double[] { 1.0, -2.0 }); x.RequiresGrad = true;
        var h = x * 3.0; h.RetainGrad = true;
        h.Square().Sum().Backward();
        Assert.Equal(new[] { 6.0, -12.0 }, h.Grad!.ToArray());
    }

    [Fact]
    public void DeepChainDoesNotOverflowTheStack()
    {
        var x = Tensor.From(new double[] { 1.0 }); x.RequiresGrad = true;
        var y = x;
        for (int i = 0; i < 20_000; i++) y = y + 0.0;
        y.Sum().Backward();
        Assert.Equal(1.0, x.Grad![0]);
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        var r = GradCheck.Compare("w", [2], new double[] { 1.0, 2.0 }, new double[] { 1.0, 2.1 });
        Assert.False(r.Passed);
        Assert.Equal(0.1, r.MaxAbsError, 12);
        Assert.Equal(0.1 / (Math.Sqrt(5) + Math.Sqrt(1 + 4.41)), r.RelativeDifference, 12);
    }
}
