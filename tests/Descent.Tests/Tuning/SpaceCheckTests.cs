using Descent.Tuning;

namespace Descent.Tests.Tuning;

/// <summary>A search space is checked against its objective before a study starts.</summary>
public class SpaceCheckTests
{
    [Fact]
    public void AnUnknownTrainOptionIsNamed()
    {
        var runner = new TrainTrialRunner("circles", 1);
        var e = Assert.Throws<ArgumentException>(() => runner.CheckSpace(new SearchSpace().Add("lrr", new LogUniformDistribution(1e-4, 1))));
        Assert.Contains("'lrr' is not a train option", e.Message);
    }

    [Theory]
    [InlineData("dropout", 0.0, 1.5, "dropout = 1.5")]
    [InlineData("label-smoothing", 0.0, 2.0, "label-smoothing = 2")]
    [InlineData("lr", 0.0, 0.1, "lr = 0")]
    public void ARangeEndThatCannotTrainIsNamed(string name, double low, double high, string expected)
    {
        var runner = new TrainTrialRunner("circles", 1);
        var e = Assert.Throws<ArgumentException>(() => runner.CheckSpace(new SearchSpace().Add(name, new UniformDistribution(low, high))));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ACategoricalChoiceThatDoesNotParseIsNamed()
    {
        var runner = new TrainTrialRunner("circles", 1);
        var space = new SearchSpace().Add("optimizer", new CategoricalDistribution(["adam", "sgd:momentum=3"]))
            .Add("activation", new CategoricalDistribution(["relu", "tanh"]));
        Assert.Contains("sgd:momentum=3", Assert.Throws<ArgumentException>(() => runner.CheckSpace(space)).Message);
        var bad = new SearchSpace().Add("activation", new CategoricalDistribution(["relu", "swishy"]));
        Assert.Contains("swishy", Assert.Throws<ArgumentException>(() => runner.CheckSpace(bad)).Message);
    }

    [Fact]
    public void AValidSpaceAndTheDefaultsPass()
    {
        var runner = new TrainTrialRunner("circles", 1);
        runner.CheckSpace(TrainTrialRunner.DefaultSpace);
        runner.CheckSpace(new SearchSpace().Add("lr", new LogUniformDistribution(1e-5, 1)).Add("dropout", new UniformDistribution(0, 0.5))
            .Add("hidden", new IntDistribution(8, 64, log: true)).Add("schedule", new CategoricalDistribution(["cosine", "constant"])));
        foreach (var name in SyntheticObjective.Names)
        {
            var obj = SyntheticObjective.Create(name);
            obj.CheckSpace(obj.DefaultSpace);
        }
    }

    [Fact]
    public void ASyntheticObjectiveNamesItsParameters()
    {
        var obj = SyntheticObjective.Create("branin");
        Assert.Contains("'lr' is not a parameter of the branin objective", Assert.Throws<ArgumentException>(() => obj.CheckSpace(new SearchSpace().Add("lr", new UniformDistribution(0, 1)))).Message);
        Assert.Contains("x2", Assert.Throws<ArgumentException>(() => obj.CheckSpace(new SearchSpace().Add("x1", new UniformDistribution(0, 1)))).Message);
    }
}
