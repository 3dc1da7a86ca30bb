using Descent.Diagnostics;
using Descent.Init;
using Descent.Nn;
using Descent.Optim;

namespace Descent.Tests.Diagnostics;

public class DiagnosticsTests
{
    private static IEnumerable<(Tensor, int[])> Batches(int count, int features, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        for (int b = 0; b < count; b++)
            yield return (Tensor.Normal(rng, 0, 1, DType.Float32, 32, features), Enumerable.Range(0, 32).Select(_ => rng.NextInt(classes)).ToArray());
    }

    [Fact]
    public void HealthyNetworkGetsNoWarningAndFiniteUpdateRatios()
    {
        var model = Mlp.Create([20, 64, 64, 3], "relu", Initializer.Parse("he"), false, 0, new Rng(1));
        var report = DiagnosticsCollector.Run(model, Batches(5, 20, 3, 2), new Sgd(model.Parameters, 0.01));
        Assert.Equal(2, report.Layers.Count);
        Assert.Equal(5, report.Batches);
        Assert.All(report.Layers, l => Assert.InRange(l.UpdateRatio, 1e-5, 1e-1));
        Assert.False(report.HasWarnings, report.ToString());
        Assert.Contains("layer", report.ToString());
    }

    [Fact]
    public void DeadRelusAreReported()
    {
        var model = Mlp.Create([20, 64, 64, 3], "relu", Initializer.Parse("he"), false, 0, new Rng(1));
        ((Linear)model[0]).Bias!.Fill(-10);                              // every unit of layer 1 below zero
        var report = DiagnosticsCollector.Run(model, Batches(2, 20, 3, 2), new Sgd(model.Parameters, 0.01));
        Assert.Equal(1.0, report.Layers[0].DeadFraction);
        Assert.Contains(report.Advice, a => a.Layer == 1 && a.Finding.Contains("dead"));
    }

    [Fact]
    public void FeatureMapsGetPerChannelStatisticsAndDeadChannels()
    {
        // [N, 4, 6, 6] → BatchNorm2d → ReLU → MaxPool2d → Flatten → Linear: channels 0 and 2 are shifted far below zero
        // by their β, so the ReLU kills them at every position of every sample (dead filters).
        var rng = new Rng(3);
        var bn = new BatchNorm2d(4);
        bn.Bias!.CopyFrom(Tensor.From(new float[] { -10, 0.5f, -10, 0 }, 4));
        var model = new Sequential(bn, new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 3, rng));
        var x = Tensor.Normal(rng, 1, 2, DType.Float32, 8, 4, 6, 6);
        var probe = new LayerProbe(model);
        probe.Forward(x);
        var l = Assert.Single(probe.Statistics());
        Assert.Equal(4, l.Channels);
        Assert.Equal(0.5, l.DeadFraction);
        var a = model[1].Call(model[0].Call(x)).ToArray();                      // the ReLU's output again (training-mode BN: same numbers)
        for (int c = 0; c < 4; c++)
        {
            var v = Enumerable.Range(0, 8).SelectMany(n => Enumerable.Range(0, 36).Select(k => a[(n * 4 + c) * 36 + k])).ToArray();
            double m = v.Average();
            Assert.Equal(m, l.ChannelMeans[c], 1e-9);
            Assert.Equal(Math.Sqrt(v.Sum(e => (e - m) * (e - m)) / v.Length), l.ChannelStds[c], 1e-9);
        }
        Assert.Equal(0, l.ChannelStds[0]);
        Assert.True(l.ChannelStds[1] > 0.1 && l.ChannelStds[3] > 0.1);

        var report = DiagnosticsCollector.Run(model, [(x, [0, 1, 2, 0, 1, 2, 0, 1])], new Sgd(model.Parameters, 0.01));
        Assert.Equal(0.5, report.Layers[0].DeadFraction);
        Assert.Equal(4, report.Layers[0].ChannelStds.Length);
        Assert.Contains(report.Advice, a => a.Layer == 1 && a.Finding.Contains("of the 4 ReLU channels of layer 1 are dead"));
        Assert.DoesNotContain(report.Advice, a => a.Finding.Contains("nearly constant"));   // the dead channels are not reported twice
        Assert.Contains("layer 1 per channel (4): mean 0 … ", report.ToString());
        Assert.Contains(", dead 50.0%", report.ToString());

        // γ = 0 with β = 0.5 > 0: channels that are alive but constant.
        bn.Weight!.CopyFrom(Tensor.From(new float[] { 0, 1, 0, 1 }, 4));
        bn.Bias.CopyFrom(Tensor.From(new float[] { 0.5f, 0, 0.5f, 0 }, 4));
        report = DiagnosticsCollector.Run(model, [(x, [0, 1, 2, 0, 1, 2, 0, 1])], new Sgd(model.Parameters, 0.01));
        Assert.Equal(0, report.Layers[0].DeadFraction);
        Assert.Contains(report.Advice, a => a.Layer == 1 && a.Finding.Contains("2 of the 4 channels of layer 1 are nearly constant"));
    }

    /// <summary>A per-channel scale with a filter-shaped weight [C, 1, 1, 1], standing in for a convolution.</summary>
    private sealed class ChannelScale : Module
    {
        private readonly Tensor _weight;
        public ChannelScale(int channels) => _weight = RegisterParameter("weight", Tensor.Ones(DType.Float32, channels, 1, 1, 1));
        public override Tensor Forward(Tensor x) => x.Mul(_weight.Reshape(_weight.Shape[0], 1, 1));
    }

    [Fact]
    public void AFilterBankFeedingAFeatureMapGetsItsNormsAndUpdateRatio()
    {
        var rng = new Rng(5);
        var model = new Sequential(new ChannelScale(3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3 * 2 * 2, 2, rng));
        var x = Tensor.Normal(rng, 0.5, 1, DType.Float32, 6, 3, 4, 4);
        var report = DiagnosticsCollector.Run(model, [(x, [0, 1, 0, 1, 0, 1])], new Sgd(model.Parameters, 0.05));
        var l = Assert.Single(report.Layers);
        Assert.Equal(3, l.Channels);
        Assert.Equal(Math.Sqrt(3), l.WeightNorm, 1e-6);                         // ‖W‖ of the [3, 1, 1, 1] ones before the step
        Assert.True(l.WeightGradientNorm > 0 && double.IsFinite(l.WeightGradientNorm), $"‖∇W‖ = {l.WeightGradientNorm}");
        Assert.True(l.UpdateRatio > 0 && double.IsFinite(l.UpdateRatio), $"‖ΔW‖/‖W‖ = {l.UpdateRatio}");
        Assert.Null(LayerProbe.WeightOf(new BatchNorm2d(3)));                    // γ is not a weight matrix
    }

    [Fact]
    public void SaturationCollapseAndVanishingGradientAreReported()
    {
        var big = Mlp.Create([50, 100, 100, 3], "tanh", Initializer.Parse("normal:1"), false, 0, new Rng(1));
        var sat = DiagnosticsCollector.Run(big, Batches(2, 50, 3, 3), new Sgd(big.Parameters, 1e-3));
        Assert.Contains(sat.Advice, a => a.Finding.Contains("saturated"));

        var tiny = Mlp.Create([50, .. Enumerable.Repeat(100, 8), 3], "tanh", Initializer.Parse("normal:0.01"), false, 0, new Rng(1));
        var vanish = DiagnosticsCollector.Run(tiny, Batches(2, 50, 3, 3), new Sgd(tiny.Parameters, 1e-3));
        Assert.True(vanish.GradientRatio < 1e-3, $"{vanish.GradientRatio}");
        Assert.Contains(vanish.Advice, a => a.Layer == 0 && a.Finding.StartsWith("vanishing"));
        Assert.Contains(vanish.Advice, a => a.Finding.Contains("collapsed"));
    }

    [Fact]
    public void UpdateRatioRulesFlagTinyAndHugeSteps()
    {
        var m1 = Mlp.Create([20, 32, 3], "relu", Initializer.Parse("he"), false, 0, new Rng(1));
        var tiny = DiagnosticsCollector.Run(m1, Batches(2, 20, 3, 4), new Sgd(m1.Parameters, 1e-7));
        Assert.Contains(tiny.Advice, a => a.Finding.Contains("tiny"));
        var m2 = Mlp.Create([20, 32, 3], "relu", Initializer.Parse("he"), false, 0, new Rng(1));
        var huge = DiagnosticsCollector.Run(m2, Batches(2, 20, 3, 4), new Sgd(m2.Parameters, 50));
        Assert.Contains(huge.Advice, a => a.Finding.Contains("huge"));
    }

    [Fact]
    public void CollectorInsideATrainingLoopMatchesTheConvenienceRun()
    {
        var model = Mlp.Create([10, 16, 2], "tanh", Initializer.Parse("xavier"), false, 0, new Rng(5));
        var opt = new Sgd(model.Parameters, 0.1);
        var c = new DiagnosticsCollector(model);
        foreach (var (x, y) in Batches(3, 10, 2, 6))
        {
            opt.ZeroGrad();
            c.Forward(x).CrossEntropy(y).Backward();
            c.BeforeStep();
            opt.Step();
            c.AfterStep();
        }
        var report = c.Report();
        Assert.Equal(3, report.Batches);
        Assert.Equal("tanh", report.Layers[0].Kind);
        Assert.True(double.IsFinite(report.Layers[0].GradientStd));
        Assert.Throws<InvalidOperationException>(() => new DiagnosticsCollector(model).Report());
    }

    [Fact]
    public void ModelWithoutActivationsIsRejectedWithItsLayers()
    {
        var e = Assert.Throws<ArgumentException>(() => new LayerProbe(new Sequential(new Linear(3, 2, new Rng(1)))));
        Assert.Contains("Linear", e.Message);
    }
}
