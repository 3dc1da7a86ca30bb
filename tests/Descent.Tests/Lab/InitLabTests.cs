using Descent.Init;
using Descent.Lab;
using Descent.Tests.Plotting;

namespace Descent.Tests.Lab;

/// <summary>Initialization: the notes' formulas and the behaviour of the experiments (small networks, so they stay fast).</summary>
public class InitLabTests
{
    private static InitRun Measure(string init, string act, bool bn = false, int width = 200, int depth = 5) =>
        InitLab.Measure(new InitConfig("t", width, Enumerable.Repeat(width, depth).ToArray(), act, init, 300, bn), 7);

    [Fact]
    public void XavierBoundIsSqrtSixOverFanInPlusFanOut()
    {
        var w = Tensor.Zeros(DType.Float64, 100, 300);   // Linear(300 → 100): [out, in]
        Initializer.Parse("xavier").Initialize(w, new Rng(3));
        double bound = Math.Sqrt(6.0 / (300 + 100)), max = w.ToArray().Max(Math.Abs);
        Assert.True(max <= bound);
        Assert.True(max > 0.99 * bound);
    }

    [Fact]
    public void HeVarianceIsTwoOverFanIn()
    {
        var w = Tensor.Zeros(DType.Float64, 400, 500);
        Initializer.Parse("he").Initialize(w, new Rng(4));
        var v = w.ToArray();
        double var = v.Select(x => x * x).Average();
        Assert.InRange(var / (2.0 / 500), 0.97, 1.03);
    }

    [Fact]
    public void SmallNormalWeightsCollapseTanhLayerAfterLayer()
    {
        var r = Measure("normal:0.01", "tanh");
        double expected = 0.01 * Math.Sqrt(200);              // std(Wx) = 0.01·√fan_in·std(x), tanh ≈ identity near 0
        Assert.InRange(r.Layers[0].Std, 0.85 * expected, 1.1 * expected);
        for (int l = 1; l < r.Layers.Count; l++)
            Assert.InRange(r.Layers[l].Std / r.Layers[l - 1].Std, 0.8 * expected, 1.1 * expected);
        Assert.True(r.Layers[^1].GradientStd > r.Layers[0].GradientStd * 10);   // the gradient shrinks on the way back
    }

    [Fact]
    public void UnitNormalWeightsSaturateTanh()
    {
        var r = Measure("normal:1", "tanh");
        Assert.All(r.Layers, l => Assert.True(l.SaturatedFraction > 0.5, $"layer {l.Index}: {l.SaturatedFraction}"));
    }

    [Fact]
    public void XavierCollapsesReluWithDepthAndHeKeepsIt()
    {
        var xavier = Measure("xavier", "relu", depth: 8);
        var he = Measure("he", "relu", depth: 8);
        Assert.True(xavier.Layers[^1].Std < 0.2 * xavier.Layers[0].Std);        // about 1/√2 per layer
        Assert.InRange(he.Layers[^1].Std / he.Layers[0].Std, 0.5, 2.0);
    }

    [Fact]
    public void BatchNormRescuesTheSmallInitialization()
    {
        var plain = Measure("normal:0.01", "tanh");
        var bn = Measure("normal:0.01", "tanh", bn: true);
        Assert.True(plain.Layers[^1].Std < 1e-3);
        Assert.All(bn.Layers, l => Assert.InRange(l.Std, 0.5, 0.8));            // std of tanh(z), z ~ N(0, 1) ≈ 0.63
    }

    [Fact]
    public void PresetsAndFiguresCoverEveryNetwork()
    {
        var configs = InitLab.Presets(50, [50, 50, 50], 100, batchNorm: true);
        Assert.Equal(12, configs.Count);
        var r = InitLab.Run(configs, 1);
        Assert.Equal(2 + 3, r.Figures.Count);                                    // one histogram grid per activation, then std, grad, saturation
        var std = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "init-std.svg").Svg);
        Assert.Equal(configs.Select(c => c.Name), SvgAssert.Names(std, "series"));
        // One grid for ReLU: rows = the four ReLU networks (Xavier, He, each ±BN), columns = the three layers, zeros counted.
        var hist = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "init-hist-relu.svg").Svg);
        Assert.Equal(4 * 3, SvgAssert.Names(hist, "panel").Count);
        Assert.Contains("zeros", SvgAssert.Text(hist));
    }

    [Fact]
    public void ReluHistogramHeadersCountTheZerosAndMatchTheTable()
    {
        var run = Measure("he", "relu");
        var grid = new Descent.Plotting.HistogramGrid { ZerosApart = true };
        foreach (var l in run.Layers) grid.Add($"layer {l.Index}", l.Sample);
        string text = SvgAssert.Text(SvgAssert.WellFormed(grid.ToSvg()));
        // The header's mean is the mean of every value, zeros included, as in the table (not the mean of the positives).
        var l1 = run.Layers[0];
        double sampleMean = l1.Sample.Average();
        Assert.InRange(sampleMean, l1.Mean * 0.8, l1.Mean * 1.2);
        Assert.Contains($"mean {sampleMean:0.###}", text);
    }

    [Fact]
    public void ASingleNetworkRunWritesItsOwnFiles()
    {
        var r = InitLab.Run([new InitConfig("he relu", 20, [20, 20], "relu", "he", 50, false)], 1, "init-net-he-relu");
        Assert.All(r.Figures, f => Assert.StartsWith("init-net-he-relu-", f.FileName));
    }

    [Fact]
    public void SaturatedTanhGradientIsExplainedInItsCaption()
    {
        var r = InitLab.Run(InitLab.Presets(100, [100, 100, 100], 200, false), 1);
        Assert.Contains("saturated", r.Figures.Single(f => f.FileName == "init-grad.svg").Caption);
    }
}

public class VanishingLabTests
{
    [Fact]
    public void SigmoidStackVanishesBelowTheBoundAndResidualsCarryTheGradient()
    {
        var plain = VanishingLab.Measure("sigmoid", 20, StackKind.Plain, 32, 64, 1, "xavier");
        var res = VanishingLab.Measure("sigmoid", 20, StackKind.Residual, 32, 64, 1, "xavier");
        Assert.Equal(20, plain.GradientNorms.Length);
        Assert.True(plain.FirstToLast < plain.Bound * 10, $"{plain.FirstToLast} vs bound {plain.Bound}");
        Assert.True(res.FirstToLast > 1e-3, $"{res.FirstToLast}");
        var relu = VanishingLab.Measure("relu", 20, StackKind.Plain, 32, 64, 1, "he");
        Assert.InRange(relu.FirstToLast, 0.1, 10);
    }

    [Fact]
    public void FullSizeReluResidualsExplodeAndScaledOnesKeepTheGradient()
    {
        var full = VanishingLab.Measure("relu", 60, StackKind.Residual, 32, 64, 1, "he");
        var scaled = VanishingLab.Measure("relu", 60, StackKind.ScaledResidual, 32, 64, 1, "he");
        Assert.Equal("exploding", full.Verdict);
        Assert.True(full.GradientNorms[0] > 1e10, $"{full.GradientNorms[0]}");
        Assert.Equal("kept", scaled.Verdict);
        Assert.InRange(scaled.FirstToLast, 1e-2, 1e2);
        Assert.True(scaled.OutputStd < 1e2, $"{scaled.OutputStd}");
        Assert.Equal("vanishing", VanishingLab.Measure("sigmoid", 30, StackKind.Plain, 32, 64, 1, "xavier").Verdict);
    }

    [Fact]
    public void FiguresHoldEveryDepthAndTheBoundOnlyWhereItReads()
    {
        var r = VanishingLab.Run([5, 10], ["sigmoid", "relu"], 16, 32, 1);
        Assert.Equal(12, r.Runs.Count);
        var doc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "vanishing-layers.svg").Svg);
        var names = SvgAssert.Names(doc, "series");
        Assert.Equal(2 * 3 * 2 + 1, names.Count);                                // 2 depths × 3 kinds × 2 activations + the bound
        Assert.Single(names, n => n == "0.25ⁿ");                                  // on the sigmoid panel only: it does not stretch ReLU's axis
    }

}
