using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class SearchSpaceTests
{
    private const string Json = """
        { "lr": { "type": "log_uniform", "low": 1e-4, "high": 1 },
          "momentum": { "type": "one_minus_log_uniform", "low": 0.9, "high": 0.999 },
          "hidden": { "type": "int", "low": 32, "high": 512, "log": true },
          "batch-size": { "type": "categorical", "choices": [32, 64, 128] },
          "optimizer": { "type": "categorical", "choices": ["sgd", "adam"] },
          "dropout": { "type": "uniform", "low": 0, "high": 0.5 } }
        """;

    [Fact]
    public void JsonFormRoundTripsInOrderOfImportance()
    {
        var s = SearchSpace.FromJson(Json);
        Assert.Equal(["lr", "momentum", "hidden", "batch-size", "optimizer", "dropout"], s.Names);
        Assert.IsType<LogUniformDistribution>(s["lr"]);
        Assert.IsType<OneMinusLogUniformDistribution>(s["momentum"]);
        Assert.True(((IntDistribution)s["hidden"]).Log);
        var again = SearchSpace.FromJson(s.ToJson());
        Assert.Equal(s.ToJson(), again.ToJson());
        var sample = again.Sample(new Rng(1));
        Assert.Equal(6, sample.Count);
        Assert.Contains(sample["optimizer"], new object[] { "sgd", "adam" });
    }

    [Fact]
    public void ErrorsNameTheParameterAndTheProblem()
    {
        var e = Assert.Throws<FormatException>(() => SearchSpace.FromJson("""{ "lr": { "type": "log_uniform", "low": 0, "high": 1 } }""", "space.json"));
        Assert.Contains("space.json", e.Message);
        Assert.Contains("'lr'", e.Message);
        e = Assert.Throws<FormatException>(() => SearchSpace.FromJson("""{ "lr": { "type": "gaussian" } }"""));
        Assert.Contains("gaussian", e.Message);
        e = Assert.Throws<FormatException>(() => SearchSpace.FromJson("[1, 2]"));
        Assert.Contains("object", e.Message);
    }

    [Fact]
    public void TrialParametersBecomeTrainOptions()
    {
        var p = new TrialParameters(new Dictionary<string, object> { ["lr"] = 0.003, ["batch-size"] = 64.0, ["optimizer"] = "adam" });
        Assert.Equal(["--lr", "0.003", "--batch-size", "64", "--optimizer", "adam"], p.ToArguments());
        Assert.Equal(64, p.GetInt("batch-size"));
        Assert.Contains("'momentum'", Assert.Throws<ArgumentException>(() => p.GetDouble("momentum")).Message);
    }
}

public class TuningDocsTests
{
    [Fact]
    public void TheDocumentedSpaceFileParses()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "docs", "tune-space.json"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var space = SearchSpace.Load(Path.Combine(dir!.FullName, "docs", "tune-space.json"));
        Assert.Equal(["lr", "momentum", "hidden", "batch-size", "dropout"], space.Names);
    }
}
