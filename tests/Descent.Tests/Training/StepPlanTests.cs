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
