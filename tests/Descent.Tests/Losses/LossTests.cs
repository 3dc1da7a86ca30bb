using Descent.Losses;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Losses;

/// <summary>Reductions, class weights, label smoothing, ignore_index, gradient checks and argument errors.</summary>
public class LossTests
{
    private static readonly int[] Targets = [2, 0, 3, 3, 1];

    /// <summary>PyTorch's formula written out in doubles: weighted, smoothed per-row losses and the mean's denominator.</summary>
    private static (double[] Rows, double Denominator) Expected(Tensor z, int[] t, double[] w, double eps)
    {
        int n = z.Shape[0], c = z.Shape[1];
        var rows = new double[n];
        double den = 0;
        for (int i = 0; i < n; i++)
        {
            double max = Enumerable.Range(0, c).Max(j => z[i, j]);
            double lse = max + Math.Log(Enumerable.Range(0, c).Sum(j => Math.Exp(z[i, j] - max)));
            double nll = -w[t[i]] * (z[i, t[i]] - lse);
            double smooth = -Enumerable.Range(0, c).Sum(j => w[j] * (z[i, j] - lse));
            rows[i] = (1 - eps) * nll + eps / c * smooth;
            den += w[t[i]];
        }
        return (rows, den);
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.25)]
    public void CrossEntropyWeightsSmoothingAndReductions(bool weighted, double eps)
    {
        var rng = new Rng(31);
        var z = Param(rng, 5, 4);
        double[] w = weighted ? [0.5, 2.0, 1.0, 3.0] : [1, 1, 1, 1];
        var wt = weighted ? Tensor.From(w, 4) : null;
        var (rows, den) = Expected(z, Targets, w, eps);
        Close(rows, new CrossEntropyLoss(wt, eps, Reduction.None).Forward(z, Targets).ToArray(), 1e-13, what: "none");
        Close([rows.Sum()], [new CrossEntropyLoss(wt, eps, Reduction.Sum).Forward(z, Targets).Item()], 1e-13, what: "sum");
        Close([rows.Sum() / den], [new CrossEntropyLoss(wt, eps).Forward(z, Targets).Item()], 1e-13, what: "mean");

        var g = Tensor.Normal(rng, 0, 1, DType.Float64, 5);
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum })
            AssertGradients(() => new CrossEntropyLoss(wt, eps, r).Forward(z, Targets), z);
        AssertGradients(() => new CrossEntropyLoss(wt, eps, Reduction.None).Forward(z, Targets).Mul(g).Sum(), z);
    }

    [Fact]
    public void CrossEntropyGradientIsSoftmaxMinusOneHotOverBatch()
    {
        var z = Param(new Rng(2), 3, 4);
        int[] t = [1, 3, 0];
        new CrossEntropyLoss().Forward(z, t).Backward();
        var p = z.Softmax(1);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal((p[i, j] - (j == t[i] ? 1 : 0)) / 3, z.Grad![i, j], 1e-15);
    }

    [Fact]
    public void IgnoredRowsContributeNothing()
    {
        var z = Param(new Rng(3), 4, 3);
        var all = new CrossEntropyLoss(reduction: Reduction.None).Forward(z, [0, 1, 2, 1]).ToArray();
        var ce = new CrossEntropyLoss().Forward(z, [0, -100, 2, 1]);
        Assert.Equal((all[0] + all[2] + all[3]) / 3, ce.Item(), 1e-14);
        ce.Backward();
        Assert.All(Enumerable.Range(0, 3), j => Assert.Equal(0, z.Grad![1, j]));
    }

    [Fact]
    public void NllWeightsAndReductionsPassTheGradientCheck()
    {
        var rng = new Rng(4);
        var a = Param(rng, 5, 4);
        var w = Tensor.From([0.5, 2.0, 1.0, 3.0], 4);
        var ce = new CrossEntropyLoss(w).Forward(a, Targets).Item();
        Assert.Equal(ce, new NllLoss(w).Forward(a.LogSoftmax(1), Targets).Item(), 1e-14);
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum })
            AssertGradients(() => new NllLoss(w, r).Forward(a, Targets), a);
        AssertGradients(() => new NllLoss(null, Reduction.None).Forward(a, Targets).Square().Sum(), a);
    }

    [Fact]
    public void RegressionLossesAndBcePassTheGradientCheck()
    {
        var rng = new Rng(5);
        var p = Param(rng, 4, 3);
        var y = Tensor.Normal(rng, 0, 1, DType.Float64, 4, 3);
        var b = Tensor.From(Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? 1.0 : i % 3 == 1 ? 0.0 : 0.3).ToArray(), 4, 3);
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum })
        {
            AssertGradients(() => new MseLoss(r).Forward(p, y), p);
            AssertGradients(() => new BceWithLogitsLoss(r).Forward(p, b), p);
            AssertGradients(() => new BceWithLogitsLoss(r, posWeight: 2.5).Forward(p, b), p);
        }
        AssertGradients(() => new MseLoss(Reduction.None).Forward(p, y).Sum(), p);
        AssertGradients(() => new BceWithLogitsLoss(Reduction.None).Forward(p, b).Square().Sum(), p);
        AssertGradients(() => new HalfSumSquaredError().Forward(p, y), p);
        Assert.Equal(new MseLoss(Reduction.Sum).Forward(p, y).Item() / 2, new HalfSumSquaredError().Forward(p, y).Item(), 1e-13);
    }

    [Fact]
    public void BceIsStableForLargeLogitsAndMatchesItsDefinition()
    {
        var x = Tensor.From([-800.0, -3, 0, 2, 800], 5);
        var t = Tensor.From([1.0, 0, 1, 1, 0], 5);
        var l = new BceWithLogitsLoss(Reduction.None).Forward(x, t).ToArray();
        Assert.Equal(800, l[0], 1e-9);
        Assert.Equal(800, l[4], 1e-9);
        for (int i = 1; i < 4; i++)
        {
            double s = 1 / (1 + Math.Exp(-x[i]));
            Assert.Equal(-(t[i] * Math.Log(s) + (1 - t[i]) * Math.Log(1 - s)), l[i], 1e-14);
        }
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var z = Tensor.Zeros(DType.Float64, 3, 4);
        Assert.Contains("3 targets", Assert.Throws<ShapeException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(DType.Float64, 2, 4), [0, 1, 2])).Message);
        Assert.Contains("target 4 in row 1", Assert.Throws<IndexOutOfRangeException>(() => new CrossEntropyLoss().Forward(z, [0, 4, 1])).Message);
        Assert.Contains("[3]", Assert.Throws<ShapeException>(() => new CrossEntropyLoss(Tensor.Ones(DType.Float64, 3)).Forward(z, [0, 1, 1])).Message);
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(labelSmoothing: 1.5));
        var e = Assert.Throws<ShapeException>(() => new MseLoss().Forward(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
    }
}
