using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// BatchNorm2d followed by ReLU runs as one op in training (<c>Ops.BatchNormTrain(…, relu: true)</c>, chosen by
/// Sequential): its output, the input's gradient and γ's and β's gradients are bitwise those of the two ops run one
/// after the other, on both kernel sets and in float32 and float64, with exact zeros among the inputs (ReLU's kink).
/// </summary>
public class BatchNormReluFusionTests
{
    [Theory]
    [InlineData("reference", false)]
    [InlineData("fast", false)]
    [InlineData("reference", true)]
    [InlineData("fast", true)]
    public void FusedIsBitwiseTheTwoOps(string kernels, bool float64)
    {
        using var scope = Use(kernels);
        var dtype = float64 ? DType.Float64 : DType.Float32;
        (Tensor Y, double[] Gx, double[] Gg, double[] Gb) Run(bool fused)
        {
            var r = new Rng(17);
            var x = Tensor.Normal(r, 0, 1, dtype, 4, 5, 6, 7);
            for (int i = 0; i < x.Length; i += 11) x[i] = 0;                        // ties at the ReLU's kink
            var gamma = Tensor.Normal(r, 1, 0.5, dtype, 5);
            var beta = Tensor.Normal(r, 0, 0.5, dtype, 5);
            x.RequiresGrad = gamma.RequiresGrad = beta.RequiresGrad = true;
            var w = Tensor.Normal(new Rng(3), 0, 1, dtype, 4, 5, 6, 7);
            var y = fused
                ? x.BatchNormTrain(gamma, beta, 1e-5, null, null, 0, relu: true, out _, out _)
                : x.BatchNormTrain(gamma, beta, 1e-5, out _, out _).Relu();
            y.Mul(w).Sum().Backward();
            double[] D(Tensor t) => [.. Enumerable.Range(0, t.Length).Select(i => t[i])];
            return (y.Detach(), D(x.Grad!), D(gamma.Grad!), D(beta.Grad!));
        }
        var two = Run(false);
        var one = Run(true);
        Assert.Equal(Enumerable.Range(0, two.Y.Length).Select(i => two.Y[i]), Enumerable.Range(0, one.Y.Length).Select(i => one.Y[i]));
        Assert.Equal(two.Gx, one.Gx);
        Assert.Equal(two.Gg, one.Gg);
        Assert.Equal(two.Gb, one.Gb);
    }

    [Fact]
    public void SequentialFusesBatchNorm2dAndReluInTrainingOnly()
    {
        var model = new Sequential(new BatchNorm2d(3), new ReLU());
        var x = Tensor.Normal(new Rng(5), 0, 1, DType.Float32, 2, 3, 4, 4);
        var tape = new Tape();
        using (tape.Record()) model.Forward(x);
        Assert.Contains(tape.Names, n => n!.EndsWith("batch_norm+relu", StringComparison.Ordinal));
        Assert.Equal(1, tape.Count);                                              // one op, no separate relu
        model.Eval();
        var y = model.Forward(x);
        Assert.True(Enumerable.Range(0, y.Length).All(i => y[i] >= 0));
    }
}
