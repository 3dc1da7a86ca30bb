using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// In inference a convolution followed by an evaluation-mode BatchNorm2d (and a ReLU) runs as one op, the batch norm
/// folded into the convolution's epilogue (<c>Ops.Conv2dBatchNormEval</c>, chosen by Sequential): its output is bitwise
/// the ops one after the other, on both kernel sets, in float32 and float64, through each of the convolution's forward
/// algorithms (direct, packed, im2col + GEMM), batch 1 (rows or pixels split over the cores) and batch 3.
/// </summary>
public class ConvBatchNormFusionTests
{
    public static TheoryData<string, bool, int, int, int, int, int> Cases()
    {
        var d = new TheoryData<string, bool, int, int, int, int, int>();
        foreach (var kernels in new[] { "reference", "fast" })
            foreach (var f64 in new[] { false, true })
            {
                // kernels, float64, batch, in, out, kernel, stride
                d.Add(kernels, f64, 1, 1, 32, 3, 1);      // direct (K = 9)
                d.Add(kernels, f64, 3, 2, 7, 3, 1);       // direct, an odd channel count
                d.Add(kernels, f64, 1, 32, 64, 3, 1);     // packed (K = 288)
                d.Add(kernels, f64, 3, 8, 5, 3, 2);       // packed, stride 2 (K = 72)
                d.Add(kernels, f64, 3, 2, 5, 3, 2);       // im2col + GEMM (K = 18, stride 2)
            }
        return d;
    }

    [Theory, MemberData(nameof(Cases))]
    public void FusedIsBitwiseTheOpsOneAfterTheOther(string kernels, bool float64, int n, int cin, int cout, int k, int stride)
    {
        using var scope = Use(kernels);
        var dtype = float64 ? DType.Float64 : DType.Float32;
        var r = new Rng(29);
        var x = Tensor.Normal(r, 0, 1, dtype, n, cin, 14, 13);
        var w = Tensor.Normal(r, 0, 0.3, dtype, cout, cin, k, k);
        var b = Tensor.Normal(r, 0, 0.3, dtype, cout);
        var mean = Tensor.Normal(r, 0, 0.3, dtype, cout);
        var var = Tensor.Uniform(r, 0.5, 2, dtype, cout);
        var gamma = Tensor.Normal(r, 1, 0.5, dtype, cout);
        var beta = Tensor.Normal(r, 0, 0.5, dtype, cout);
        gamma[cout - 1] = 0;                                                    // a channel of exact zeros: the ReLU's kink
        using var _ = Descent.Autograd.NoGrad();
        foreach (bool relu in new[] { false, true })
        {
            var two = x.Conv2d(w, b, (stride, stride), (1, 1), (1, 1)).BatchNormEval(mean, var, gamma, beta, 1e-5, relu);
            var one = x.Conv2dBatchNormEval(w, b, (stride, stride), (1, 1), (1, 1), 1, mean, var, gamma, beta, 1e-5, relu);
            Assert.Equal(two.Shape, one.Shape);
            Assert.Equal(Enumerable.Range(0, two.Length).Select(i => two[i]), Enumerable.Range(0, one.Length).Select(i => one[i]));
        }
    }

    [Fact]
    public void SequentialFusesInInferenceOnly()
    {
        var r = new Rng(31);
        var model = new Sequential(new Conv2d(1, 4, 3, r, padding: 1), new BatchNorm2d(4), new ReLU(), new Conv2d(4, 3, 3, r), new BatchNorm2d(3));
        var x = Tensor.Normal(r, 0, 1, DType.Float32, 2, 1, 9, 9);
        model.Forward(x);                                                        // training: running statistics move away from 0 and 1
        model.Eval();
        var inference = new Tape();
        Tensor fused, unfused;
        using (Descent.Autograd.NoGrad())
        using (inference.Record()) fused = model.Forward(x);
        Assert.Equal(["conv2d+batch_norm+relu (eval)", "conv2d+batch_norm (eval)"], inference.Names.Select(n => n![4..]));   // names are numbered: " 1. …"
        var withGrad = new Tape();
        using (withGrad.Record()) unfused = model.Forward(x);                   // evaluation with gradients: the layers' own ops
        Assert.Equal(["conv2d", "batch_norm (eval)", "relu", "conv2d", "batch_norm (eval)"], withGrad.Names.Select(n => n![4..]));
        Assert.Equal(Enumerable.Range(0, unfused.Length).Select(i => unfused[i]), Enumerable.Range(0, fused.Length).Select(i => fused[i]));
    }

    [Fact]
    public void AMismatchedBatchNormIsTheBatchNormsError()
    {
        var model = new Sequential(new Conv2d(1, 4, 3, new Rng(1)), new BatchNorm2d(5));
        model.Eval();
        using var _ = Descent.Autograd.NoGrad();
        var e = Assert.Throws<ShapeException>(() => model.Forward(Tensor.Zeros(DType.Float32, 1, 1, 6, 6)));
        Assert.Contains("BatchNorm2d(5)", e.Message);
    }
}
