using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Nn;

/// <summary>../shared/reference/pytorch/batchnorm1d.json (float64, 1e-10 relative) and batch norm's own checks.</summary>
public class BatchNorm1dTests
{
    private const double Tol = 1e-10;

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void TrainingForwardBackwardRunningStatsAndEvalMatchPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        var d = Reference("batchnorm1d.json");
        var x = Tensor64(d.GetProperty("x"));
        x.RequiresGrad = true;
        var bn = new BatchNorm1d(5, d.GetProperty("eps").GetDouble(), d.GetProperty("momentum").GetDouble(), dtype: DType.Float64);
        bn.Weight!.CopyFrom(Tensor64(d.GetProperty("gamma")));
        bn.Bias!.CopyFrom(Tensor64(d.GetProperty("beta")));

        var y = bn.Call(x);
        y.Mul(Tensor64(d.GetProperty("grad_y"))).Sum().Backward();
        Close(Flat(d.GetProperty("y_train")), y.ToArray(), Tol, floor: 1e-8, what: "y_train");
        Close(Flat(d.GetProperty("grad_x")), x.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_x");
        Close(Flat(d.GetProperty("grad_gamma")), bn.Weight.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_gamma");
        Close(Flat(d.GetProperty("grad_beta")), bn.Bias.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_beta");
        Close(Flat(d.GetProperty("running_mean")), bn.RunningMean.ToArray(), Tol, floor: 1e-8, what: "running_mean");
        Close(Flat(d.GetProperty("running_var")), bn.RunningVar.ToArray(), Tol, floor: 1e-8, what: "running_var");

        bn.Eval();
        var y2 = bn.Call(Tensor64(d.GetProperty("x_eval")));
        Close(Flat(d.GetProperty("y_eval")), y2.ToArray(), Tol, floor: 1e-8, what: "y_eval");
    }

    [Fact]
    public void GradientsPassTheCheckInTrainingAndEvalMode()
    {
        var rng = new Rng(11);
        var x = Param(rng, 7, 4);
        var gy = Tensor.Normal(rng, 0, 1, DType.Float64, 7, 4);
        var bn = new BatchNorm1d(4, weightInit: new Descent.Init.Uniform(0.5, 1.5), biasInit: new Descent.Init.Normal(0, 1), rng: rng, dtype: DType.Float64);
        AssertGradients(() => bn.Call(x).Mul(gy).Sum(), x, bn.Weight!, bn.Bias!);
        bn.Eval();
        AssertGradients(() => bn.Call(x).Mul(gy).Sum(), x, bn.Weight!, bn.Bias!);
        var plain = new BatchNorm1d(4, affine: false, dtype: DType.Float64);
        Assert.Empty(plain.Parameters);
        AssertGradients(() => plain.Call(x).Mul(gy).Sum(), x);
    }

    [Fact]
    public void TrainingOutputHasZeroMeanAndUnitBiasedVariancePerFeature()
    {
        var bn = new BatchNorm1d(3, dtype: DType.Float64);
        var x = Tensor.Normal(new Rng(2), 5, 3, DType.Float64, 64, 3);
        var y = bn.Call(x);
        for (int j = 0; j < 3; j++)
        {
            var col = Enumerable.Range(0, 64).Select(i => y[i, j]).ToArray();
            double m = col.Average();
            Assert.Equal(0, m, 1e-12);
            Assert.Equal(1, col.Sum(v => (v - m) * (v - m)) / 64, 1e-4);       // ε = 1e-5 shrinks it slightly
        }
    }

    [Fact]
    public void Float32MatchesFloat64()
    {
        var x = Tensor.Normal(new Rng(4), 1, 2, DType.Float64, 16, 6);
        var a = new BatchNorm1d(6, dtype: DType.Float64).Call(x).ToArray();
        var b = new BatchNorm1d(6).Call(x.To(DType.Float32)).ToArray();
        Assert.True(MaxRel(a, b, floor: 1) < 1e-5, $"{MaxRel(a, b, floor: 1):E3}");
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        var bn = new BatchNorm1d(3);
        Assert.Contains("[batch, 3]", Assert.Throws<ShapeException>(() => bn.Call(Tensor.Zeros(4, 5))).Message);
        Assert.Contains("more than 1 value", Assert.Throws<ShapeException>(() => bn.Call(Tensor.Zeros(1, 3))).Message);
        bn.Eval();
        Assert.Equal([1, 3], bn.Call(Tensor.Zeros(1, 3)).ShapeArray);
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(3, momentum: 1.5));
    }

    [Fact]
    public void StateDictHasPyTorchNames()
    {
        Assert.Equal(["weight", "bias", "running_mean", "running_var"], new BatchNorm1d(3).StateDict().Keys.ToArray());
    }
}
