using Descent.Kernels;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// The fused classifier head (<c>Ops.LinearCrossEntropy</c>): bitwise the loss, logits and gradients of <c>Linear</c> then
/// <c>CrossEntropy</c>, on both kernel sets, in float32 and float64, on 1 and 2 threads; and its gradients against central differences.
/// </summary>
public class LinearCrossEntropyTests
{
    /// <summary>A cross-entropy's settings: class weights, label smoothing, reduction, some rows ignored, bias or none.</summary>
    public sealed record Setting(string Name, bool Bias, bool Weights, double Smoothing, Reduction Reduction, bool Ignore)
    {
        public override string ToString() => Name;
    }

    private static readonly Setting[] Settings =
    [
        new("plain", true, false, 0, Reduction.Mean, false),
        new("no bias", false, false, 0, Reduction.Mean, false),
        new("weights+smoothing", true, true, 0.1, Reduction.Mean, false),
        new("sum+ignore", true, false, 0, Reduction.Sum, true),
        new("none+weights", true, true, 0, Reduction.None, true),
    ];

    public static TheoryData<string, DType, string> Cases()
    {
        var d = new TheoryData<string, DType, string>();
        foreach (var k in new[] { "reference", "fast" })
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (var s in Settings) d.Add(k, dtype, s.Name);
        return d;
    }

    /// <summary>(batch, in, classes): one row, a batch of at most one row block, blocks with a tail of 1, 4, 5 rows (the GEMM's
    /// few-rows path), ∂L/∂W's column blocks with a tail, more than one k block (batch &gt; 256) for ∂L/∂W; and a head big
    /// enough to be split over two threads whatever the measured threshold (≥ 2²⁴ multiply-adds, <see cref="GemmThreads"/>):
    /// nine row blocks split 4 + 5, the last with a merged tail of 2 rows, ∂L/∂W's columns split at 288.</summary>
    private static readonly (int Batch, int In, int Classes)[] Shapes =
        [(1, 20, 10), (4, 20, 10), (7, 20, 10), (33, 20, 10), (36, 20, 10), (37, 13, 3), (70, 20, 10), (130, 130, 10), (300, 70, 10), (290, 600, 100)];

    private sealed record Result(Tensor Loss, Tensor Logits, Tensor Gx, Tensor Gw, Tensor? Gb);

    /// <summary>Loss, logits and gradients of the head on the same seeded inputs, fused or as the two ops.</summary>
    private static Result Run(bool fused, Setting s, DType dtype, (int Batch, int In, int Classes) shape, int threads)
    {
        var (n, inF, c) = shape;
        var rng = new Rng(17, (ulong)(n * 1000 + inF));
        var x = Tensor.Normal(rng, 0, 1, dtype, n, inF); x.RequiresGrad = true;            // [batch, in]
        var w = Tensor.Normal(rng, 0, 0.3, dtype, c, inF); w.RequiresGrad = true;          // [C, in]
        Tensor? b = s.Bias ? Tensor.Normal(rng, 0, 0.3, dtype, c) : null;                // [C]
        if (b is not null) b.RequiresGrad = true;
        var cw = s.Weights ? Tensor.Uniform(rng, 0.5, 2, dtype, c) : null;               // [C]
        var targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = s.Ignore && i % 5 == 2 ? -100 : rng.NextInt(c);
        var gy = s.Reduction == Reduction.None ? Tensor.Normal(rng, 0, 1, dtype, n) : Tensor.Full(2.5, dtype);   // ∂L/∂loss
        using var limit = Threading.Limit(threads);
        Tensor loss, logits;
        if (fused) loss = x.LinearCrossEntropy(w, b, targets, out logits, cw, s.Smoothing, s.Reduction);
        else
        {
            logits = x.Linear(w, b);
            loss = logits.CrossEntropy(targets, cw, s.Smoothing, s.Reduction);
        }
        loss.Backward(gy);
        return new Result(loss, logits, x.Grad!, w.Grad!, b?.Grad);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedHeadIsBitwiseLinearThenCrossEntropy(string kernels, DType dtype, string setting)
    {
        using var _ = Use(kernels);
        var s = Settings.Single(e => e.Name == setting);
        foreach (var shape in Shapes)
        {
            var separate = Run(fused: false, s, dtype, shape, threads: 1);
            foreach (int threads in new[] { 1, 2 })
            {
                var fused = Run(fused: true, s, dtype, shape, threads);
                string where = $"{kernels} {dtype} {setting} {shape} on {threads} thread(s)";
                Assert.True(separate.Loss.BitwiseEquals(fused.Loss), $"loss differs: {where}: {separate.Loss.ToArray()[0]:R} vs {fused.Loss.ToArray()[0]:R}");
                Assert.True(separate.Logits.BitwiseEquals(fused.Logits), $"logits differ: {where}");
                Assert.True(separate.Gx.BitwiseEquals(fused.Gx), $"∂L/∂x differs: {where}");
                Assert.True(separate.Gw.BitwiseEquals(fused.Gw), $"∂L/∂W differs: {where}");
                Assert.True(separate.Gb is null ? fused.Gb is null : separate.Gb.BitwiseEquals(fused.Gb!), $"∂L/∂b differs: {where}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void BackwardMatchesNumericalGradient(string kernels)
    {
        using var scope = Use(kernels);
        var r = new Rng(1234);
        var x = Param(r, 7, 5);
        var w = Param(r, 4, 5);
        var b = Param(r, 4);
        var cw = Tensor.Uniform(r, 0.5, 2, DType.Float64, 4);
        int[] targets = [3, 0, 2, -100, 1, 1, 0];
        var rowWeights = Tensor.Normal(new Rng(99), 0, 1, DType.Float64, 7);                // makes reduction none's loss a scalar
        AssertGradients(() => x.LinearCrossEntropy(w, b, targets, out _), x, w, b);
        AssertGradients(() => x.LinearCrossEntropy(w, b, targets, out _, cw, labelSmoothing: 0.2), x, w, b);
        AssertGradients(() => x.LinearCrossEntropy(w, null, targets, out _, reduction: Reduction.Sum), x, w);
        AssertGradients(() => x.LinearCrossEntropy(w, b, targets, out _, cw, 0.1, Reduction.None).Mul(rowWeights).Sum(), x, w, b);
    }

    [Fact]
    public void BadArgumentsAreReportedAsTheSeparateOpsReportThem()
    {
        var x = Tensor.Zeros(3, 5);
        var w = Tensor.Zeros(4, 5);
        Assert.Contains("does not fit weight", Assert.Throws<ShapeException>(() => x.LinearCrossEntropy(Tensor.Zeros(4, 6), null, [0, 1, 2], out _)).Message);
        Assert.Contains("one target per row", Assert.Throws<ShapeException>(() => x.LinearCrossEntropy(w, null, [0, 1], out _)).Message);
        Assert.Contains("target 4 in row 2", Assert.Throws<IndexOutOfRangeException>(() => x.LinearCrossEntropy(w, null, [0, 1, 4], out _)).Message);
        Assert.Contains("label smoothing", Assert.Throws<ArgumentException>(() => x.LinearCrossEntropy(w, null, [0, 1, 2], out _, labelSmoothing: 2)).Message);
    }
}
