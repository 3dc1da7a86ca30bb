using Descent.Data;
using Descent.Lab;
using Descent.Tests.Plotting;

namespace Descent.Tests.Lab;

/// <summary>The lab experiments that train (kept to a few epochs) and the schedules/optimizers labs.</summary>
public class TrainingLabTests
{
    [Fact]
    public void ZerosNeverBreakSymmetryAndHeDoes()
    {
        var r = InitTrainLab.Run([2, 10, 5, 2], ["zeros", "he"], 3, 200, "sgd:lr=0.05,momentum=0.9", 1);
        var zeros = r.Runs[0];
        Assert.All(zeros.DistinctUnits, d => Assert.Equal(new[] { 1, 1 }, d));
        Assert.Equal(new[] { 10, 5 }, r.Runs[1].FinalDistinctUnits);
        Assert.Equal(Math.Log(2), zeros.Epochs[0].TrainLoss, 6);
        Assert.All(r.Figures, f => SvgAssert.WellFormed(f.Svg));
        var acc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "init-train-accuracy.svg").Svg);
        Assert.Equal(new[] { "zeros train", "zeros test", "he train", "he test" }, SvgAssert.Names(acc, "series"));
    }

    [Fact]
    public void BatchNormTrainsWhereTheSmallInitializationStalls()
    {
        var r = BatchNormLab.Run([32, 32, 32, 32], "tanh", 8, 400, "sgd:lr=0.05,momentum=0.9", 2);
        Assert.Equal(4, r.Runs.Count);
        var plain = r.Runs.Single(x => x.Name == "normal:0.01");
        var bn = r.Runs.Single(x => x.Name == "normal:0.01 +BN");
        Assert.True(bn.Epochs[^1].TrainLoss < plain.Epochs[^1].TrainLoss - 0.1, $"{bn.Epochs[^1].TrainLoss} vs {plain.Epochs[^1].TrainLoss}");
        Assert.True(plain.Before[^1].Std < 1e-4);
        Assert.All(r.Figures, f => SvgAssert.WellFormed(f.Svg));
    }

    [Fact]
    public void SchedulesFollowTheirFormulas()
    {
        var r = SchedulesLab.Run(0.1, 20, 10, SchedulesLab.NotesSchedules.Select(s => (s, "notes")).ToList());
        double[] Rates(string spec) => r.Curves.Single(c => c.Spec == spec).Rates;
        Assert.Equal(0.1 / 11, Rates("inverse-time:decay=1")[10], 12);
        Assert.Equal(0.1 * Math.Pow(0.95, 10), Rates("exponential:base=0.95")[10], 12);
        Assert.Equal(0.1 / Math.Sqrt(4), Rates("inverse-sqrt:k=1")[4], 12);
        Assert.Equal(0.1 / Math.Sqrt(40), Rates("inverse-sqrt:k=1,per=step")[4], 12);   // t = 4 epochs × 10 steps
        Assert.Equal(0.1 * 0.7, Rates("exponential:base=0.7,steps=5,staircase=true")[7], 12);
        var doc = SvgAssert.WellFormed(r.Figures[0].Svg);
        Assert.Equal(5, SvgAssert.Names(doc, "series").Count);
    }

    [Fact]
    public void AdamReachesTheRosenbrockMinimum()
    {
        var run = OptimizersLab.Race(Objective.Rosenbrock, [-1.5, 2], 0, "adam:lr=0.05", 3000);
        Assert.False(run.Diverged);
        Assert.Equal(1, run.FinalX[0], 3);
        Assert.Equal(1, run.FinalX[1], 3);
        var sgd = OptimizersLab.Race(Objective.Elongated, [-8, 5], 0, "sgd:lr=1.1", 100);
        Assert.True(sgd.Diverged);
    }

    [Fact]
    public void OptimizerFiguresHoldEveryTrajectory()
    {
        var races = OptimizersLab.DefaultRaces().Take(1).ToList();
        var r = OptimizersLab.Run(races, 0.2);
        var doc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "optimizers-elongated.svg").Svg);
        Assert.Equal(7, SvgAssert.Names(doc, "path").Count);
        var loss = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "optimizers-elongated-loss.svg").Svg);
        Assert.Equal(races[0].Optimizers, SvgAssert.Names(loss, "series"));
    }

    [Fact]
    public void LrRangeSuggestsARateInsideTheSweep()
    {
        var data = DatasetSpec.Load("spirals:n=400", 1);
        var r = LrRangeLab.Run(data, [32, 32], "sgd:momentum=0.9", 1e-4, 10, 80, 32, 1);
        Assert.InRange(r.SuggestedRate, 1e-4, 10);
        Assert.Equal(r.MinLossRate / 10, r.SuggestedRate, 12);
        Assert.True(r.Rates.Zip(r.Rates.Skip(1)).All(p => p.Second > p.First));
        var doc = SvgAssert.WellFormed(r.Figures[0].Svg);
        Assert.Equal(new[] { "mini-batch loss", "smoothed loss (β = 0.95)" }, SvgAssert.Names(doc, "series"));
    }
}
