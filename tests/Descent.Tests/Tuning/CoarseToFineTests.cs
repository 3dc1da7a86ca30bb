using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class CoarseToFineTests
{
    [Fact]
    public void RoundsNarrowAroundTheOptimumOfTheQuadratic()
    {
        var obj = SyntheticObjective.Quadratic();
        var study = Study.Open(new InMemoryStudyStorage(), "c2f", obj.DefaultSpace, obj, new StudyOptions { Trials = 90, Rounds = 3, Seed = 11 });
        study.Optimize(obj);
        var trials = study.Trials();
        Assert.Equal([0, 1, 2], trials.Select(t => t.Round).Distinct().Order());
        Assert.All(trials.GroupBy(t => t.Round), g => Assert.Equal(30, g.Count()));

        // The lr range of each round shrinks (in decades) and still contains the optimum α* = 10^-2.5.
        double previous = double.PositiveInfinity;
        for (int r = 0; r < 3; r++)
        {
            var lr = (LogUniformDistribution)CoarseToFine.SpaceForRound(obj.DefaultSpace, trials, Direction.Minimize, r)["lr"];
            double decades = Math.Log10(lr.High / lr.Low);
            Assert.True(decades < previous, $"round {r}: {decades:F2} decades, not narrower than {previous:F2}");
            Assert.InRange(Math.Log10(3.16e-3), Math.Log10(lr.Low), Math.Log10(lr.High));
            previous = decades;
        }
        Assert.True(previous < 3, $"after two narrowings lr still spans {previous:F2} of 5 decades");

        // Later rounds sample closer to the optimum and score better.
        double Distance(int round) => trials.Where(t => t.Round == round).Average(t => Math.Abs(Math.Log10((double)t.Params["lr"]) + 2.5));
        double Median(int round) => trials.Where(t => t.Round == round).Select(t => t.Value!.Value).Order().ElementAt(15);
        Assert.True(Distance(2) < 0.5 * Distance(0), $"mean distance round 0: {Distance(0):F3}, round 2: {Distance(2):F3}");
        Assert.True(Median(2) < Median(0));
    }

    [Fact]
    public void CategoricalsKeepTheChoicesOfTheBestTrials()
    {
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1)).Add("act", new CategoricalDistribution(["relu", "tanh", "sigmoid"]));
        var trials = Enumerable.Range(0, 8).Select(i => new TrialRecord
        {
            Number = i, State = TrialState.Complete, Value = i,
            Params = new() { ["x"] = 0.1 + 0.01 * i, ["act"] = i < 4 ? "relu" : "tanh" },
        }).ToList();
        var narrowed = CoarseToFine.Narrow(space, trials, Direction.Minimize, topFraction: 0.25, minTop: 3);
        Assert.Equal(["relu"], ((CategoricalDistribution)narrowed["act"]).Choices);
        var x = (UniformDistribution)narrowed["x"];
        Assert.True(x.Low <= 0.1 && x.High >= 0.12 && x.High < 0.2, $"x ∈ [{x.Low}, {x.High}]");
    }
}
