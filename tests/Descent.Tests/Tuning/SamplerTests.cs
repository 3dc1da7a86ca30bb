using Descent.Tuning;

namespace Descent.Tests.Tuning;

/// <summary>A trial runner from a function: reports f(θ, epoch) for each epoch, stops when pruned.</summary>
internal sealed class FuncRunner(Func<TrialParameters, int, double> curve, int epochs = 5, Direction direction = Direction.Minimize) : ITrialRunner
{
    public string Metric => "loss";
    public Direction Direction => direction;
    public Action<TrialContext>? BeforeRun { get; init; }

    public double Run(TrialContext context)
    {
        BeforeRun?.Invoke(context);
        double v = double.NaN;
        for (int e = context.StartEpoch; e < context.StartEpoch + epochs; e++)
        {
            v = curve(context.Parameters, e);
            if (context.Report(e, v) == TrialDecision.Prune) break;
        }
        return v;
    }
}

public class SamplerTests
{
    private static Study NewStudy(SearchSpace space, ITrialRunner runner, StudyOptions options, IStudyStorage? storage = null) =>
        Study.Open(storage ?? new InMemoryStudyStorage(), "s", space, runner, options);

    [Fact]
    public void GridVisitsEveryPointOnceOnEachScale()
    {
        var space = new SearchSpace().Add("lr", new LogUniformDistribution(1e-4, 1)).Add("act", new CategoricalDistribution(["relu", "tanh"]));
        var sampler = new GridSampler(5);
        Assert.Equal(10, sampler.Size(space));
        var study = NewStudy(space, new FuncRunner((p, e) => 0, 1), new StudyOptions { Trials = 10, Sampler = sampler });
        study.Optimize(new FuncRunner((p, e) => 0, 1));
        var points = study.Trials().Select(t => (Math.Round(Math.Log10((double)t.Params["lr"]), 6), (string)t.Params["act"])).ToList();
        Assert.Equal(10, points.Distinct().Count());
        Assert.Equal([-4.0, -3.0, -2.0, -1.0, 0.0], points.Select(p => p.Item1).Distinct().Order());
    }

    [Fact]
    public void RandomSearchIsSeededAndStaysInRange()
    {
        var obj = SyntheticObjective.Quadratic();
        IReadOnlyList<TrialRecord> Run(ulong seed)
        {
            var s = NewStudy(obj.DefaultSpace, obj, new StudyOptions { Trials = 12, Seed = seed });
            s.Optimize(obj);
            return s.Trials();
        }
        var a = Run(7); var b = Run(7); var c = Run(8);
        Assert.Equal(a.Select(t => t.Params["lr"]), b.Select(t => t.Params["lr"]));
        Assert.NotEqual(a.Select(t => t.Params["lr"]), c.Select(t => t.Params["lr"]));
        Assert.All(a, t => Assert.InRange((double)t.Params["lr"], 1e-5, 1));
    }

    [Fact]
    public void TpeConcentratesNearTheOptimumMoreThanRandom()
    {
        // f = (log10 α + 2.5)², 60 trials: after the random start-up, TPE samples mostly near α* = 10^-2.5.
        var space = new SearchSpace().Add("lr", new LogUniformDistribution(1e-6, 1));
        var runner = new FuncRunner((p, e) => Math.Pow(Math.Log10(p.GetDouble("lr")) + 2.5, 2), 1);
        double MeanDistanceOfLastHalf(ISampler sampler)
        {
            var s = NewStudy(space, runner, new StudyOptions { Trials = 60, Sampler = sampler, Seed = 3 });
            s.Optimize(runner);
            return s.Trials().Skip(30).Average(t => Math.Abs(Math.Log10((double)t.Params["lr"]) + 2.5));
        }
        double tpe = MeanDistanceOfLastHalf(new TpeSampler()), random = MeanDistanceOfLastHalf(new RandomSampler());
        Assert.True(tpe < 0.5 * random, $"TPE mean |log10 α − log10 α*| = {tpe:F3}, random = {random:F3}");
    }
}
