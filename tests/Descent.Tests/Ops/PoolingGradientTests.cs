using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// The pooling ops' and the 4-D batch norm's backward against central differences (float64), on both kernel sets, on
/// odd shapes: kernel 3 stride 2 padding 1, non-square windows, batch 1, channels 3, 5 and 17.
/// </summary>
public class PoolingGradientTests
{
    public static TheoryData<string, string> Cases()
    {
        var d = new TheoryData<string, string>();
        foreach (var k in new[] { "reference", "fast" })
            foreach (var op in new[] { "max_k3_s2_p1", "max_nonsquare", "max_default_stride_batch1_c17", "avg_k3_s2_p1", "avg_k3_s2_p1_exclude_pad",
                "avg_nonsquare", "adaptive_3x4", "adaptive_global", "adaptive_overlapping", "batch_norm_4d", "batch_norm_4d_batch1_c5",
                "batch_norm_4d_c17_no_affine", "batchnorm2d_eval", "batch_norm_eval_op", "batch_norm_eval_no_affine", "pool_chain", "batch_norm_relu", "batch_norm_relu_no_affine" })
                d.Add(k, op);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesNumericalGradient(string kernels, string op)
    {
        using var scope = Use(kernels);
        var r = new Rng(4321);
        var x = Param(r, 2, 3, 7, 6);
        // A fixed, non-trivial weighting so the loss is not symmetric in the outputs.
        Tensor L(Tensor y) => y.Mul(Tensor.Normal(new Rng(99), 0, 1, DType.Float64, y.ShapeArray)).Sum();
        switch (op)
        {
            case "max_k3_s2_p1": AssertGradients(() => L(x.MaxPool2d(3, 2, 1)), x); break;
            case "max_nonsquare":
                var x5 = Param(r, 1, 5, 6, 7);
                AssertGradients(() => L(x5.MaxPool2d((2, 3), (1, 2), (1, 1))), x5); break;
            case "max_default_stride_batch1_c17":
                var x17 = Param(r, 1, 17, 5, 4);
                AssertGradients(() => L(x17.MaxPool2d(2)), x17); break;
            case "avg_k3_s2_p1": AssertGradients(() => L(x.AvgPool2d(3, 2, 1)), x); break;
            case "avg_k3_s2_p1_exclude_pad": AssertGradients(() => L(x.AvgPool2d(3, 2, 1, countIncludePad: false)), x); break;
            case "avg_nonsquare": AssertGradients(() => L(x.AvgPool2d((3, 2), (2, 1), (1, 0))), x); break;
            case "adaptive_3x4": AssertGradients(() => L(x.AdaptiveAvgPool2d((3, 4))), x); break;
            case "adaptive_global": AssertGradients(() => L(x.AdaptiveAvgPool2d(1)), x); break;
            case "adaptive_overlapping": AssertGradients(() => L(x.AdaptiveAvgPool2d((5, 4))), x); break;
            case "batch_norm_4d":
                var g3 = Param(r, 3); var b3 = Param(r, 3);
                AssertGradients(() => L(x.BatchNormTrain(g3, b3, 1e-5, out _, out _)), x, g3, b3); break;
            case "batch_norm_relu":
                var gr = Param(r, 3); var br = Param(r, 3);
                AssertGradients(() => L(x.BatchNormTrain(gr, br, 1e-5, null, null, 0, relu: true, out _, out _)), x, gr, br); break;
            case "batch_norm_relu_no_affine":
                AssertGradients(() => L(x.BatchNormTrain(null, null, 1e-5, null, null, 0, relu: true, out _, out _)), x); break;
            case "batch_norm_4d_batch1_c5":
                var x1 = Param(r, 1, 5, 3, 3); var g5 = Param(r, 5); var b5 = Param(r, 5);
                AssertGradients(() => L(x1.BatchNormTrain(g5, b5, 1e-5, out _, out _)), x1, g5, b5); break;
            case "batch_norm_4d_c17_no_affine":
                var xc = Param(r, 3, 17, 2, 3);
                AssertGradients(() => L(xc.BatchNormTrain(null, null, 1e-5, out _, out _)), xc); break;
            case "batchnorm2d_eval":
                var bn = new BatchNorm2d(3, weightInit: new Descent.Init.Uniform(0.5, 1.5), biasInit: new Descent.Init.Normal(0, 1), rng: r, dtype: DType.Float64);
                bn.RunningMean.CopyFrom(Tensor.From(new double[] { 0.3, -0.2, 0.1 }, 3));
                bn.RunningVar.CopyFrom(Tensor.From(new double[] { 1.5, 0.7, 2.0 }, 3));
                bn.Eval();
                AssertGradients(() => L(bn.Call(x)), x, bn.Weight!, bn.Bias!); break;
            case "batch_norm_eval_op":
                var ge = Param(r, 3); var be = Param(r, 3);
                var rm = Tensor.From(new double[] { 0.3, -0.2, 0.1 }, 3); var rv = Tensor.From(new double[] { 1.5, 0.7, 2.0 }, 3);
                AssertGradients(() => L(x.BatchNormEval(rm, rv, ge, be, 1e-3)), x, ge, be); break;
            case "batch_norm_eval_no_affine":
                var x17e = Param(r, 1, 17, 2, 3);
                var rm17 = Tensor.Normal(r, 0, 1, DType.Float64, 17); var rv17 = Tensor.Uniform(r, 0.5, 2, DType.Float64, 17);
                AssertGradients(() => L(x17e.BatchNormEval(rm17, rv17, null, null, 1e-5)), x17e); break;
            case "pool_chain":   // overlapping windows feed each other: gradients accumulate through every op
                var gc = Param(r, 3); var bc = Param(r, 3);
                AssertGradients(() => L(x.BatchNormTrain(gc, bc, 1e-5, out _, out _).Relu().MaxPool2d(3, 2, 1).AvgPool2d(2, 1).AdaptiveAvgPool2d(1)), x, gc, bc); break;
            default: throw new ArgumentException(op);
        }
    }
}
