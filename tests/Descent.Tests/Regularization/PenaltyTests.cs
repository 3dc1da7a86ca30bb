using Descent.Nn;
using Descent.Regularization;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Regularization;

public class PenaltyTests
{
    [Fact]
    public void L1AndL2ValuesAndGradients()
    {
        var rng = new Rng(1);
        var a = Param(rng, 3, 2);
        var b = Param(rng, 4);
        double l1 = a.ToArray().Concat(b.ToArray()).Sum(Math.Abs), l2 = a.ToArray().Concat(b.ToArray()).Sum(v => v * v);
        Assert.Equal(0.1 * l1, Penalty.L1(0.1).Of([a, b]).Item(), 1e-14);
        Assert.Equal(0.5 * 0.1 * l2, Penalty.L2(0.1).Of([a, b]).Item(), 1e-14);
        AssertGradients(() => Penalty.L1(0.3).Of([a, b]), a, b);
        AssertGradients(() => Penalty.L2(0.3).Of([a, b]), a, b);
        a.Grad = null;
        Penalty.L2(0.3).Of([a]).Backward();
        for (int i = 0; i < a.Length; i++) Assert.Equal(0.3 * a[i], a.Grad![i], 1e-15);   // = weight_decay·θ
        Assert.Throws<ArgumentException>(() => Penalty.L2(-1));
    }

    [Fact]
    public void AddsToALossOverTheModelsWeightsOnly()
    {
        var m = Mlp.Create([3, 4, 2], "tanh", null, batchNorm: true, dropout: 0, new Rng(2), DType.Float64);
        var chosen = Penalty.WeightsOnly(m).ToList();
        Assert.Equal(2, chosen.Count);                                 // 0.weight and 3.weight, not batch norm's γ
        Assert.Same(m.StateDict()["0.weight"], chosen[0]);
        Assert.Same(m.StateDict()["3.weight"], chosen[1]);
        var loss = Tensor.Scalar(1.5, DType.Float64);
        double expected = 1.5 + 0.5 * 0.01 * chosen.Sum(t => t.ToArray().Sum(v => v * v));
        Assert.Equal(expected, Penalty.L2(0.01).AddTo(loss, m).Item(), 1e-14);
        Assert.Same(loss, Penalty.L1(0.01).AddTo(loss, Array.Empty<Tensor>()));
    }
}
