using Descent.Training;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Training;

public class StepPlanTests
{
    private static (Tensor[] Ws, Tensor[] Bs) Mlp(DType dtype, ulong seed, params int[] widths)
    {
        var rng = new Rng(seed);
        var ws = new Tensor[widths.Length - 1];
        var bs = new Tensor[widths.Length - 1];
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            ws[l] = Tensor.Normal(rng, 0, 1 / Math.Sqrt(widths[l]), dtype, widths[l + 1], widths[l]);
            bs[l] = Tensor.Normal(rng, 0, 0.1, dtype, widths[l + 1]);
            ws[l].RequiresGrad = bs[l].RequiresGrad = true;
        }
        return (ws, bs);
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void PlannedStepEqualsAutogradInFloat64(string kernels)
    {
        using var _ = Use(kernels);
        var (ws, bs) = Mlp(DType.Float64, 1, 7, 6, 5, 3);
        var x = Tensor.Normal(new Rng(2), 0, 1, DType.Float64, 9, 7);
        int[] y = [0, 1, 2, 2, 1, 0, 0, 1, 2];

        var h = x.Linear(ws[0], bs[0]).Tanh();
        h = h.Linear(ws[1], bs[1]).Relu();
        var loss = h.Linear(ws[2], bs[2]).LogSoftmax(1).Pick(y).Mean().Neg();
        loss.Backward();
        var expected = ws.Concat(bs).Select(p => p.Grad!.ToArray()).ToArray();
        foreach (var p in ws.Concat(bs)) p.Grad = null;

        var plan = StepPlan.Create([
            new PlannedLinear(ws[0], bs[0]), new PlannedActivation<Descent.Ops.TanhOp>(default),
            new PlannedLinear(ws[1], bs[1]), new PlannedActivation<Descent.Ops.ReluOp>(default),
            new PlannedLinear(ws[2], bs[2])], 7, DType.Float64);
        var (l, _) = plan.Step(x, y);
        Assert.Equal(loss.Item(), l, 12);
        var actual = ws.Concat(bs).Select(p => p.Grad!.ToArray()).ToArray();
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], 1e-10, 1e-8, $"param {i}");
    }

    /// <summary>
    /// The last layer and the loss run as one job (ClassifierHeadJob) give bitwise the gradients, loss and hits of the
    /// layer-by-layer sequence (forward, softmax cross-entropy, backward), for a batch that is not a multiple of the row
    /// blocks, in float32 and float64, with and without a bias.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedHeadEqualsLayerByLayerBitwise(bool withBias)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var (ws, bs) = Mlp(dtype, 5, 70, 130, 10);
            var x = Tensor.Normal(new Rng(6), 0, 1, dtype, 77, 70);
            var y = Enumerable.Range(0, 77).Select(i => (i * 7) % 10).ToArray();
            IPlannedLayer[] layers = [new PlannedLinear(ws[0], bs[0], relu: true), new PlannedLinear(ws[1], withBias ? bs[1] : null)];

            // Layer by layer, as StepPlan runs a model whose last layer is not fused.
            var a = new[] { x, Tensor.Zeros(dtype, 77, 130), Tensor.Zeros(dtype, 77, 10) };
            var g = new[] { Tensor.Zeros(dtype, 77, 70), Tensor.Zeros(dtype, 77, 130), Tensor.Zeros(dtype, 77, 10) };
            layers[0].Forward(a[0], a[1], true); layers[1].Forward(a[1], a[2], true);
            var expected = dtype == DType.Float32
                ? StepPlan.SoftmaxCrossEntropy<float>(a[2].Floats, y, 10, g[2].Floats)
                : StepPlan.SoftmaxCrossEntropy<double>(a[2].Doubles, y, 10, g[2].Doubles);
            layers[1].Backward(a[1], a[2], g[2], g[1]); layers[0].Backward(a[0], a[1], g[1], null);
            var grads = ws.Concat(withBias ? bs : bs.Take(1)).Select(p => p.Grad!.Clone()).ToArray();
            foreach (var p in ws.Concat(bs)) p.Grad = null;

            var (loss, hits) = StepPlan.Create(layers, 70, dtype).Step(x, y);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Loss), BitConverter.DoubleToInt64Bits(loss));
            Assert.Equal(expected.Correct, hits);
            var actual = ws.Concat(withBias ? bs : bs.Take(1)).Select(p => p.Grad!).ToArray();
            for (int i = 0; i < grads.Length; i++) Assert.True(grads[i].BitwiseEquals(actual[i]), $"{dtype}: gradient {i} differs");
        }
    }

    [Fact]
    public void SteadyStateStepAllocatesNothing()
    {
        var (ws, bs) = Mlp(DType.Float32, 3, 64, 32, 10);
        var plan = StepPlan.Create([new PlannedLinear(ws[0], bs[0]), new PlannedActivation<Descent.Ops.ReluOp>(default), new PlannedLinear(ws[1], bs[1])], 64, DType.Float32);
        var x = Tensor.Normal(new Rng(4), 0, 1, DType.Float32, 16, 64);
        var y = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        for (int i = 0; i < 3; i++) plan.Step(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) plan.Step(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
