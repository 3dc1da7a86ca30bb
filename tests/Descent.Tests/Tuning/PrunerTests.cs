using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class PrunerTests
{
    private static TrialRecord Curve(int number, params double[] values) => new()
    {
        Number = number, State = TrialState.Complete, Epochs = values.Select((v, i) => new EpochMetric(i + 1, v)).ToList(),
    };

    [Fact]
    public void MedianPrunesAboveTheMedianOnly()
    {
        var others = Enumerable.Range(0, 5).Select(i => Curve(i, 1.0 + 0.1 * i, 0.8 + 0.1 * i, 0.6 + 0.1 * i)).ToList();
        var pruner = new MedianPruner(warmup: 1, minTrials: 4);
        var worse = Curve(9, 3, 2.5);
        var better = Curve(10, 0.9, 0.7);
        Assert.True(pruner.ShouldPrune(worse, [.. others, worse], Direction.Minimize));
        Assert.False(pruner.ShouldPrune(better, [.. others, better], Direction.Minimize));
        Assert.False(pruner.ShouldPrune(Curve(11, 5), [.. others], Direction.Minimize)); // warm-up epoch
        Assert.False(pruner.ShouldPrune(worse, [.. others.Take(2), worse], Direction.Minimize)); // too few others
        Assert.True(pruner.ShouldPrune(Curve(12, 1, double.NaN), others, Direction.Minimize)); // diverged
        // Maximize: a low accuracy is the worse one.
        Assert.True(pruner.ShouldPrune(Curve(13, 0.1, 0.1), [.. others.Select(t => Curve(t.Number, 0.5, 0.6))], Direction.Maximize));
    }

    [Fact]
    public void AshaKeepsTheTopThirdAtEachRung()
    {
        var asha = new AshaPruner(minEpochs: 1, reductionFactor: 3);
        Assert.True(asha.IsRung(1) && asha.IsRung(3) && asha.IsRung(9) && !asha.IsRung(2) && !asha.IsRung(4));
        var rung = Enumerable.Range(0, 6).Select(i => Curve(i, i)).ToList(); // values 0..5 at epoch 1
        // 7 trials at the rung → the best ⌊7/3⌋ = 2 continue.
        Assert.False(asha.ShouldPrune(Curve(20, 0.5), [.. rung], Direction.Minimize));
        Assert.True(asha.ShouldPrune(Curve(21, 1.5), [.. rung], Direction.Minimize));
        Assert.False(asha.ShouldPrune(Curve(22, 9, 9), [.. rung], Direction.Minimize)); // epoch 2 is not a rung
        Assert.False(asha.ShouldPrune(Curve(23, 7), [], Direction.Minimize)); // the first trial at a rung continues
    }

    /// <summary>Trials whose x > 0.5 are clearly worse (loss ≈ 5 vs ≈ 1) at every epoch: pruning stops them early, never the good ones.</summary>
    [Theory]
    [InlineData("median")]
    [InlineData("asha")]
    public void StudyPrunesTheClearlyWorseTrials(string name)
    {
        IPruner pruner = name == "median" ? new MedianPruner(warmup: 1, minTrials: 4) : new AshaPruner(1, 3);
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        var runner = new FuncRunner((p, e) => (p.GetDouble("x") > 0.5 ? 5 : 1) + p.GetDouble("x") * 0.1 + 1.0 / e, epochs: 9);
        var study = Study.Open(new InMemoryStudyStorage(), "prune", space, runner, new StudyOptions { Trials = 40, Pruner = pruner, Seed = 5 });
        study.Optimize(runner);
        var trials = study.Trials();
        var bad = trials.Where(t => t.Params["x"] is double x && x > 0.5).ToList();
        var good = trials.Where(t => t.Params["x"] is double x && x <= 0.5).ToList();
        Assert.True(bad.Count >= 10 && good.Count >= 10);
        // After the first few trials, every clearly worse trial is pruned before its last epoch.
        var late = bad.Where(t => t.Number >= 10).ToList();
        Assert.All(late, t => { Assert.Equal(TrialState.Pruned, t.State); Assert.True(t.Epochs.Count < 9, $"trial {t.Number} ran {t.Epochs.Count} epochs"); });
        Assert.True(trials.Sum(t => t.Epochs.Count) < 0.7 * 40 * 9, "pruning saved less than 30% of the epochs");
        Assert.True(study.Best()!.Params["x"] is double bx && bx <= 0.5);
        Assert.Contains(good, t => t.State == TrialState.Complete);
        // Median: a good trial is only pruned once it survived the first epochs (where the bad ones were stopped);
        // ASHA prunes all but the best third at every rung, good or bad.
        if (name == "median") Assert.All(good.Where(t => t.State == TrialState.Pruned), t => Assert.True(t.Epochs.Count >= 2));
    }
}
