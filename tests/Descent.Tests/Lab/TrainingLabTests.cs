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
        var r = InitTrainLab.Run([2, 10, 5, 2], ["zeros", "he"], 3, 200, InitTrainLab.DefaultOptimizer, 1);
        var zeros = r.Runs[0];
        Assert.All(zeros.DistinctUnits, d => Assert.Equal(new[] { 1, 1 }, d));
        Assert.Equal(new[] { 10, 5 }, r.Runs[1].FinalDistinctUnits);
        Assert.Equal(Math.Log(2), zeros.Epochs[0].TrainLoss, 6);
        Assert.All(r.Figures, f => SvgAssert.WellFormed(f.Svg));
        var acc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "init-train-accuracy.svg").Svg);
        Assert.Equal(new[] { "zeros train", "zeros test", "he train", "he test" }, SvgAssert.Names(acc, "series"));
    }

    [Fact]
    public void TenTimesNormalTrainsPoorlyAboveChanceAndBelowHe()
    {
        var r = InitTrainLab.Run([2, 10, 5, 2], ["zeros", "normal:10", "he"], 60, 800, InitTrainLab.DefaultOptimizer, 0);
        double Test(int i) => r.Runs[i].Epochs[^1].TestAccuracy;
        Assert.InRange(Test(0), 0.4, 0.6);                                       // zeros: chance
        Assert.True(Test(1) > 0.55 && Test(1) < Test(2) - 0.1, $"×10 {Test(1)} vs He {Test(2)}");
        Assert.True(Test(2) > 0.9, $"He {Test(2)}");
        Assert.Contains(r.Figures, f => f.FileName == "init-train-boundary.svg");
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
        var doc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "schedules-notes.svg").Svg);
        Assert.Equal(5, SvgAssert.Names(doc, "series").Count);
        Assert.Contains("α₀ / (1 + 1·epoch)", SvgAssert.Names(doc, "series"));  // formulas, not command-line strings
        // The staircase is drawn as stairs: each epoch's value is held, so the polyline has about twice the points.
        var stairs = doc.Descendants().Where(e => (string?)e.Attribute("data-name") == "0.7^⌊epoch/5⌋ · α₀ (staircase)").Single();
        int points = ((string)stairs.Descendants().First(e => e.Name.LocalName == "polyline").Attribute("points")!).Split(' ').Length;
        Assert.Equal(2 * 21 - 1, points);
    }

    [Fact]
    public void DecaySettlesANoisyRunCloserThanAConstantRate()
    {
        var runs = SchedulesLab.NoisyDecay(0);
        Assert.True(runs[1].FinalGap * 5 < runs[0].FinalGap, $"decayed {runs[1].FinalGap} vs constant {runs[0].FinalGap}");
    }

    [Fact]
    public void AdamReachesTheRosenbrockMinimum()
    {
        var rosen = OptimizersLab.DefaultRaces().Single(r => r.Name == "rosenbrock");
        var run = OptimizersLab.Run(rosen, "adam:lr=0.05");
        Assert.False(run.Diverged);
        Assert.Equal(1, run.FinalX[0], 3);
        Assert.Equal(1, run.FinalX[1], 3);
        var bowl = OptimizersLab.DefaultRaces().Single(r => r.Name == "elongated");
        Assert.True(OptimizersLab.Run(bowl, "sgd:lr=1.1").Diverged);
    }

    [Fact]
    public void MomentumBeatsSgdOnTheElongatedBowlAtTheStatedRule()
    {
        var bowl = OptimizersLab.DefaultRaces().Single(r => r.Name == "elongated");
        var sgd = OptimizersLab.Best(bowl, OptimizerFamily.All.Single(f => f.Name == "SGD"));
        var momentum = OptimizersLab.Best(bowl, OptimizerFamily.All.Single(f => f.Name == "Momentum"));
        Assert.NotNull(sgd.StepsToGoal);
        Assert.NotNull(momentum.StepsToGoal);
        Assert.True(momentum.StepsToGoal < sgd.StepsToGoal, $"momentum {momentum.StepsToGoal} vs SGD {sgd.StepsToGoal}");
        // SGD's best rate zig-zags across x₂ (1 − 2α < 0): the sign of x₂ flips on the first steps.
        Assert.True(sgd.Path[1][1] * sgd.Path[2][1] < 0, "SGD's path should zig-zag in x₂");
    }

    [Fact]
    public void OnTheSaddleSgdLingersAndAdamEscapesFirst()
    {
        var r = OptimizersLab.Run(OptimizersLab.DefaultRaces().Where(x => x.Name is "elongated" or "saddle").ToList());
        var saddle = r.Runs.Where(x => x.Race == "saddle").ToDictionary(x => x.Optimizer);
        Assert.All(saddle.Values, x => Assert.NotNull(x.StepsToGoal));
        Assert.True(saddle["Adam"].StepsToGoal * 2 <= saddle["SGD"].StepsToGoal, $"Adam {saddle["Adam"].StepsToGoal} vs SGD {saddle["SGD"].StepsToGoal}");
        // The saddle reuses the settings won on the elongated bowl.
        Assert.Equal(r.Runs.Single(x => x.Race == "elongated" && x.Optimizer == "SGD").Spec, saddle["SGD"].Spec);
    }

    [Fact]
    public void NoisyGradientsNeedASmallerRateThanExactOnes()
    {
        var races = OptimizersLab.DefaultRaces();
        var sgd = OptimizerFamily.All.Single(f => f.Name == "SGD");
        var exact = OptimizersLab.Best(races.Single(r => r.Name == "elongated"), sgd);
        var noisy = OptimizersLab.Best(races.Single(r => r.Name == "noisy"), sgd);
        double Lr(OptimizerRun run) => double.Parse(run.Spec.Split("lr=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Lr(noisy) < Lr(exact), $"{Lr(noisy)} vs {Lr(exact)}");
        Assert.True(noisy.Floor > 1e-4, $"a constant rate on noisy gradients hovers: {noisy.Floor}");
    }

    [Fact]
    public void OptimizerFiguresHaveOnePanelPerOptimizerAndMatchingColours()
    {
        var races = OptimizersLab.DefaultRaces().Take(1).ToList();
        var r = OptimizersLab.Run(races);
        var doc = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "optimizers-elongated.svg").Svg);
        var paths = doc.Descendants().Where(e => (string?)e.Attribute("class") == "path").ToList();
        Assert.Equal(OptimizerFamily.All.Select(f => f.Name), paths.Select(p => (string?)p.Attribute("data-name")));
        var loss = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "optimizers-elongated-loss.svg").Svg);
        var series = loss.Descendants().Where(e => (string?)e.Attribute("class") == "series").ToList();
        string Stroke(System.Xml.Linq.XElement g) => (string)g.Descendants().First(e => e.Name.LocalName == "polyline").Attribute("stroke")!;
        Assert.Equal(paths.Select(Stroke), series.Select(Stroke));                // one colour per optimizer in both figures
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
