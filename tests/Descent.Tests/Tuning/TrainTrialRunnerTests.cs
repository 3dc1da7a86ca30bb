using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class TrainTrialRunnerTests
{
    [Fact]
    public void ParametersMapOntoTrainConfig()
    {
        var r = new TrainTrialRunner("moons", epochs: 3);
        var c = r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["lr"] = 0.01, ["momentum"] = 0.95, ["hidden"] = 64L, ["batch-size"] = 32L, ["dropout"] = 0.2 }), 7, 1);
        Assert.Equal("adam:lr=0.01,beta1=0.95", c.Optimizer.ToString());
        Assert.Equal("mlp:64,32,dropout=0.2", c.Model.ToString());
        Assert.Equal(32, c.BatchSize);
        Assert.Equal(7UL, c.Seed);
        Assert.Equal(0.1, c.Validation);
        var sgd = r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["optimizer"] = "sgd", ["momentum"] = 0.9 }), 0, 1);
        Assert.Equal("sgd:momentum=0.9", sgd.Optimizer.ToString());
        var e = Assert.Throws<ArgumentException>(() => r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["learning_rate"] = 0.1 }), 0, 1));
        Assert.Contains("learning_rate", e.Message);
    }

    [Fact]
    public void CnnParametersMapOntoTheCnnAndMlpOnesAreRefused()
    {
        var r = new TrainTrialRunner("bars:n=256", epochs: 2, model: Descent.Nn.ModelSpec.Parse("cnn"));
        var c = r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["channels"] = 16L, ["fc"] = 64L, ["dropout"] = 0.1, ["lr"] = 0.003, ["batch-size"] = 32L }), 1, 1);
        Assert.Equal("cnn:16,32,fc=64,dropout=0.1", c.Model.ToString());
        Assert.Equal(32, c.BatchSize);
        Assert.Equal("cnn:8,8,8", r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["channels"] = "8,8,8" }), 1, 1).Model.ToString());
        var e = Assert.Throws<ArgumentException>(() => r.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["hidden"] = 64L }), 0, 1));
        Assert.Contains("'hidden' changes an mlp model, but the trials train 'cnn'", e.Message);
        var mlp = new TrainTrialRunner("moons", epochs: 1);
        e = Assert.Throws<ArgumentException>(() => mlp.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["channels"] = 16L }), 0, 1));
        Assert.Contains("start from one with --model cnn", e.Message);
        Assert.Equal("cnn:4,8", mlp.ConfigFor(new TrialParameters(new Dictionary<string, object> { ["model"] = "cnn:4,8" }), 0, 1).Model.ToString());
    }

    [Fact]
    public void TrialReportsValidationLossEachEpochAndStopsWhenPruned()
    {
        var r = new TrainTrialRunner("moons:n=400", epochs: 5);
        var reported = new List<(int, double)>();
        var ctx = new TrialContext(0, new TrialParameters(new Dictionary<string, object> { ["lr"] = 0.01 }), 1, 1,
            (epoch, v) => { reported.Add((epoch, v)); return epoch >= 2 ? TrialDecision.Prune : TrialDecision.Continue; });
        double last = r.Run(ctx);
        Assert.Equal(new[] { 1, 2 }, reported.Select(x => x.Item1));
        Assert.Equal(reported[^1].Item2, last);
        Assert.True(double.IsFinite(last));
    }
}
