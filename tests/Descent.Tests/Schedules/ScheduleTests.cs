using Descent.Optim;
using Descent.Schedules;

namespace Descent.Tests.Schedules;

public class ScheduleTests
{
    private static double[] Values(ISchedule s, double lr0, int n) => Enumerable.Range(0, n).Select(t => s.LearningRate(lr0, t)).ToArray();

    [Fact]
    public void TheNotesDecaysAreTheirFormulas()
    {
        Assert.Equal(0.1 / (1 + 0.5 * 4), new InverseTimeDecay(0.5).LearningRate(0.1, 4), 15);
        Assert.Equal(Math.Pow(0.95, 7) * 0.2, new ExponentialDecay(0.95).LearningRate(0.2, 7), 15);
        Assert.Equal(0.1 * 2 / Math.Sqrt(9), new InverseSqrtDecay(2).LearningRate(0.1, 9), 15);
        Assert.Equal(0.1 * 2 / Math.Sqrt(1000), new InverseSqrtDecay(2, PerStep: true).LearningRate(0.1, 1000), 15);
        Assert.Equal(0.1 * Math.Pow(0.5, 2), new ExponentialDecay(0.5, DecaySteps: 10, Staircase: true).LearningRate(0.1, 29), 15);
        Assert.Equal(0.1 / (1 + 2), new InverseTimeDecay(1, DecaySteps: 10, Staircase: true).LearningRate(0.1, 29), 15);
    }

    [Fact]
    public void MultiStepCosineRestartsAndOneCycleFollowPyTorch()
    {
        Assert.Equal([1, 1, 0.1, 0.1, 0.1, 0.01, 0.01], Values(new MultiStepDecay([2, 5]), 1, 7).Select(v => Math.Round(v, 12)));
        var sgdr = new CosineAnnealingWarmRestarts(2, 2, 0);
        // periods [0,2) [2,6) [6,14): restarts at 2 and 6
        Assert.Equal(1.0, sgdr.LearningRate(1, 2), 15);
        Assert.Equal(1.0, sgdr.LearningRate(1, 6), 15);
        Assert.Equal(0.5, sgdr.LearningRate(1, 4), 12);
        var oc = new OneCycle(100);
        Assert.Equal(0.04, oc.LearningRate(1, 0), 15);           // max / div_factor
        Assert.Equal(1.0, oc.LearningRate(1, 29), 15);           // peak at pct·total − 1
        Assert.Equal(0.04 / 1e4, oc.LearningRate(1, 99), 15);    // min at the last step
    }

    [Fact]
    public void WarmupThenDecayJoins()
    {
        var s = ScheduleSpec.Parse("warmup:steps=5+cosine:tmax=10");
        Assert.Equal(0.02, s.LearningRate(0.1, 0), 15);
        Assert.Equal(0.1, s.LearningRate(0.1, 4), 15);
        Assert.Equal(0.1, s.LearningRate(0.1, 5), 15);              // cosine's t = 0
        Assert.Equal(0.05, s.LearningRate(0.1, 10), 12);            // cosine's t = 5
        var three = ScheduleSpec.Parse("constant:for=2+exponential:base=0.5,for=2+step:size=1,gamma=0.1");
        Assert.Equal([1, 1, 1, 0.5, 1, 0.1], Values(three, 1, 6).Select(v => Math.Round(v, 12)));
        Assert.True(ScheduleSpec.Parse("warmup:steps=100,per=step+cosine:tmax=1000").PerStep);
    }

    [Theory]
    [InlineData("cosinus:tmax=3", "Unknown schedule 'cosinus' in 'cosinus:tmax=3'; accepted: constant, inverse-time, exponential, inverse-sqrt, step, multi-step, cosine, cosine-restarts, warmup, one-cycle, plateau.")]
    [InlineData("cosine:t=3", "schedule 'cosine:t=3': unknown key 't' for cosine; accepted: tmax, etamin, per, for.")]
    [InlineData("cosine", "schedule 'cosine': cosine needs tmax=N.")]
    [InlineData("exponential:base=x", "schedule 'exponential:base=x': base=x is not a number.")]
    [InlineData("cosine:tmax=5+constant", "schedule 'cosine:tmax=5+constant': 'cosine:tmax=5' is followed by another schedule, so it needs for=N (its length).")]
    [InlineData("step:size=2,per=hour", "schedule 'step:size=2,per=hour': per=hour; accepted: epoch, step.")]
    public void BadTextGivesOneClearLine(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleSpec.Parse(text).Create());   // a missing length (cosine alone) is reported by Create
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ReduceOnPlateauFollowsPyTorch()
    {
        var p = new ReduceLrOnPlateau(1.0, factor: 0.5, patience: 2);
        double[] losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
        var rates = losses.Select(p.Step).ToArray();
        // improvement at epochs 0, 1; bad epochs 1, 2, 3 → reduce after the third (> patience), then again three later
        Assert.Equal([1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25], rates);
        var withCooldown = new ReduceLrOnPlateau(1.0, factor: 0.5, patience: 0, cooldown: 1);
        Assert.Equal([1.0, 0.5, 0.5, 0.25], new[] { 1.0, 1.0, 1.0, 1.0 }.Select(withCooldown.Step));
    }

    [Fact]
    public void PolicySetsTheOptimizerRate()
    {
        var x = Tensor.Zeros(1); x.RequiresGrad = true;
        var sgd = new Sgd([x], lr: 0.1);
        var policy = LearningRatePolicy.Parse("exponential:base=0.5", 0.1);
        Assert.Equal(0.025, policy.Apply(sgd, step: 1000, epoch: 2), 15);
        Assert.Equal(0.025, sgd.LearningRate, 15);
        var perStep = LearningRatePolicy.Parse("inverse-sqrt:per=step", 0.1);
        Assert.Equal(0.01, perStep.At(step: 100, epoch: 0), 15);
        var plateau = LearningRatePolicy.Parse("plateau:patience=0,factor=0.5", 0.1);
        plateau.ReportMetric(1); plateau.ReportMetric(2);
        Assert.Equal(0.05, plateau.At(0, 0), 15);
        Assert.Contains("accepted: mode, factor", Assert.Throws<ArgumentException>(() => LearningRatePolicy.Parse("plateau:wait=3", 0.1)).Message);
    }
}
