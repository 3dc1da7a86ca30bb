using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// BatchNorm2d followed by ReLU runs as one op in training (<c>Ops.BatchNormTrain(…, relu: true)</c>, chosen by
/// Sequential) and in inference (<c>Ops.BatchNormEval(…, relu: true)</c>): its output, the input's gradient and γ's and β's gradients are bitwise those of the two ops run one
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

    /// <summary>In evaluation under no-grad (inference) the fused op is bitwise the eval batch norm then the ReLU.</summary>
    [Theory]
    [InlineData("reference", false)]
    [InlineData("fast", false)]
    [InlineData("reference", true)]
    [InlineData("fast", true)]
    public void FusedEvalIsBitwiseTheTwoOps(string kernels, bool float64)
    {
        using var scope = Use(kernels);
        var dtype = float64 ? DType.Float64 : DType.Float32;
        var r = new Rng(23);
        var x = Tensor.Normal(r, 0, 1, dtype, 3, 5, 6, 7);
        for (int i = 0; i < x.Length; i += 7) x[i] = 0;
        var mean = Tensor.Normal(r, 0, 0.3, dtype, 5);
        var var = Tensor.Uniform(r, 0.5, 2, dtype, 5);
        var gamma = Tensor.Normal(r, 1, 0.5, dtype, 5);
        var beta = Tensor.Normal(r, 0, 0.5, dtype, 5);
        beta[2] = 0; gamma[2] = 0;                                               // a channel of exact zeros: the kink itself
        using var _ = Descent.Autograd.NoGrad();
        var two = x.BatchNormEval(mean, var, gamma, beta, 1e-5).Relu();
        var one = x.BatchNormEval(mean, var, gamma, beta, 1e-5, relu: true);
        Assert.Equal(Enumerable.Range(0, two.Length).Select(i => two[i]), Enumerable.Range(0, one.Length).Select(i => one[i]));
        Assert.Contains(Enumerable.Range(0, one.Length), i => one[i] == 0);
    }

    [Fact]
    public void SequentialFusesBatchNorm2dAndRelu()
    {
        var model = new Sequential(new BatchNorm2d(3), new ReLU());
        var x = Tensor.Normal(new Rng(5), 0, 1, DType.Float32, 2, 3, 4, 4);
        var tape = new Tape();
        using (tape.Record()) model.Forward(x);
        Assert.Contains(tape.Names, n => n!.EndsWith("batch_norm+relu", StringComparison.Ordinal));
        Assert.Equal(1, tape.Count);                                              // one op, no separate relu
        model.Eval();
        var inference = new Tape();
        Tensor y;
        using (Descent.Autograd.NoGrad())
        using (inference.Record()) y = model.Forward(x);
        Assert.Equal(["batch_norm+relu (eval)"], inference.Names.Select(n => n![4..]));   // names are numbered: " 1. …"   // inference: one op too
        Assert.True(Enumerable.Range(0, y.Length).All(i => y[i] >= 0));
        var withGrad = new Tape();
        using (withGrad.Record()) model.Forward(x);                               // evaluation with gradients: the two ops
        Assert.Equal(["batch_norm (eval)", "relu"], withGrad.Names.Select(n => n![4..]));
    }
}
