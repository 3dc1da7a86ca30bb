using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Nn;

/// <summary>
/// BatchNorm2d against PyTorch (Reference/pooling.json, made by gen_pooling.py: two training steps — forward, ∂L/∂x,
/// ∂L/∂γ, ∂L/∂β, running statistics — then evaluation; float64, 1e-10 relative) and its own checks.
/// </summary>
public class BatchNorm2dTests
{
    private const double Tol = 1e-10;

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void TrainingStepsRunningStatsAndEvalMatchPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        var d = Reference("pooling.json").GetProperty("batchnorm2d");
        var bn = new BatchNorm2d(3, d.GetProperty("eps").GetDouble(), d.GetProperty("momentum").GetDouble(), dtype: DType.Float64);
        bn.Weight!.CopyFrom(Tensor64(d.GetProperty("weight")));
        bn.Bias!.CopyFrom(Tensor64(d.GetProperty("bias")));
        int step = 0;
        foreach (var s in d.GetProperty("train").EnumerateArray())
        {
            var x = Tensor64(s.GetProperty("x"));                            // [4, 3, 5, 6]
            x.RequiresGrad = true;
            bn.ZeroGrad();
            var y = bn.Call(x);
            y.Mul(Tensor64(s.GetProperty("grad_y"))).Sum().Backward();
            foreach (var (name, actual) in new[] { ("y", y), ("grad_x", x.Grad!), ("grad_weight", bn.Weight.Grad!), ("grad_bias", bn.Bias.Grad!),
                ("running_mean", bn.RunningMean), ("running_var", bn.RunningVar) })
                Close(Flat(s.GetProperty(name)), actual.ToArray(), Tol, floor: 1e-8, what: $"step {step} {name}");
            step++;
        }
        Assert.Equal(2, step);
        bn.Eval();
        var ye = bn.Call(Tensor64(d.GetProperty("x_eval")));
        Close(Flat(d.GetProperty("y_eval")), ye.ToArray(), Tol, floor: 1e-8, what: "y_eval");
    }

    [Fact]
    public void TrainingOutputHasZeroMeanAndUnitBiasedVariancePerChannel()
    {
        var x = Tensor.Normal(new Rng(2), 5, 3, DType.Float64, 6, 4, 5, 7);
        var y = new BatchNorm2d(4, dtype: DType.Float64).Call(x);
        for (int c = 0; c < 4; c++)
        {
            var v = new List<double>();
            for (int n = 0; n < 6; n++)
                for (int h = 0; h < 5; h++)
                    for (int w = 0; w < 7; w++) v.Add(y[((n * 4 + c) * 5 + h) * 7 + w]);
            double m = v.Average();
            Assert.Equal(0, m, 1e-12);
            Assert.Equal(1, v.Sum(t => (t - m) * (t - m)) / v.Count, 1e-4);
        }
    }

    [Fact]
    public void Float32MatchesFloat64()
    {
        var x = Tensor.Normal(new Rng(4), 1, 2, DType.Float64, 3, 5, 6, 7);
        var a = new BatchNorm2d(5, dtype: DType.Float64).Call(x).ToArray();
        var b = new BatchNorm2d(5).Call(x.To(DType.Float32)).ToArray();
        Assert.True(MaxRel(a, b, floor: 1) < 1e-5, $"{MaxRel(a, b, floor: 1):E3}");
    }

    [Fact]
    public void BatchNorm1dOnSequencesIsBatchNorm2dOnColumns()
    {
        // PyTorch's BatchNorm1d also takes [N, C, L]: the statistics over N and L, the same as BatchNorm2d on [N, C, L, 1].
        var x = Tensor.Normal(new Rng(6), 1, 2, DType.Float64, 4, 3, 9);
        var a = new BatchNorm1d(3, momentum: 0.2, dtype: DType.Float64);
        var b = new BatchNorm2d(3, momentum: 0.2, dtype: DType.Float64);
        Assert.Equal(b.Call(x.Reshape(4, 3, 9, 1)).ToArray(), a.Call(x).ToArray());
        Assert.Equal(b.RunningVar.ToArray(), a.RunningVar.ToArray());
        a.Eval(); b.Eval();
        Assert.Equal(b.Call(x.Reshape(4, 3, 9, 1)).ToArray(), a.Call(x).ToArray());
    }

    [Fact]
    public void BatchOfOneTrainsOverItsPixelsButOnePixelIsAnError()
    {
        var bn = new BatchNorm2d(2, dtype: DType.Float64);
        var y = bn.Call(Tensor.Normal(new Rng(1), 0, 1, DType.Float64, 1, 2, 3, 3));   // 9 values per channel: fine
        Assert.Equal([1, 2, 3, 3], y.ShapeArray);
        Assert.Contains("more than 1 value per channel", Assert.Throws<ShapeException>(() => bn.Call(Tensor.Zeros(DType.Float64, 1, 2, 1, 1))).Message);
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        var bn = new BatchNorm2d(3);
        Assert.Equal("BatchNorm2d(3): expected input [N, 3, H, W], got [4, 5, 2, 2].", Assert.Throws<ShapeException>(() => bn.Call(Tensor.Zeros(4, 5, 2, 2))).Message);
        Assert.Contains("[N, 3, H, W]", Assert.Throws<ShapeException>(() => bn.Call(Tensor.Zeros(4, 3))).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentException>(() => new BatchNorm2d(3, momentum: 1.5)).Message);
        Assert.Contains("BatchNorm2d", Assert.Throws<ArgumentException>(() => new BatchNorm2d(0)).Message);
    }

    [Fact]
    public void StateDictHasPyTorchNamesAndWeightDecaySkipsIt()
    {
        var bn = new BatchNorm2d(3);
        Assert.Equal(["weight", "bias", "running_mean", "running_var"], bn.StateDict().Keys.ToArray());
        Assert.Empty(Descent.Regularization.Penalty.WeightsOnly(bn));
        Assert.Equal("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.ToString());
        Assert.Equal("BatchNorm1d(4, eps=0.001, momentum=0.01, affine=False, track_running_stats=True)", new BatchNorm1d(4, 1e-3, 0.01, affine: false).ToString());
    }
}
