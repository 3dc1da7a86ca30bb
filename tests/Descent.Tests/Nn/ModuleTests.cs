using Descent.Init;
using Descent.Nn;

namespace Descent.Tests.Nn;

/// <summary>Names, parameter counts, train/eval, state dict round trip and errors, summary, the MLP builder.</summary>
public class ModuleTests
{
    private static Sequential Model(ulong seed, bool batchNorm = true) =>
        Mlp.Create([4, 8, 6, 3], "relu", Initializer.Parse("he"), batchNorm, dropout: 0.2, new Rng(seed));

    [Fact]
    public void MlpHasPyTorchNamesAndCounts()
    {
        var m = Model(1);
        Assert.Equal(
            ["0.weight", "1.weight", "1.bias", "4.weight", "5.weight", "5.bias", "8.weight", "8.bias"],
            m.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["1.running_mean", "1.running_var", "5.running_mean", "5.running_var"], m.NamedBuffers().Select(p => p.Name).ToArray());
        Assert.Equal(4 * 8 + 8 + 8 + 8 * 6 + 6 + 6 + 6 * 3 + 3, m.ParameterCount);
        Assert.Equal(["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"], m.Layers.Select(l => l.TypeName).ToArray());
        var plain = Mlp.Create([784, 256, 128, 10], "tanh", null, false, 0, new Rng(1));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], plain.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(235146, plain.ParameterCount);
        Assert.Contains("'swish'", Assert.Throws<ArgumentException>(() => Mlp.Create([2, 2], "swish", null, false, 0, new Rng(1))).Message);
    }

    [Fact]
    public void SameSeedSameModel()
    {
        var a = Model(7).StateDict();
        var b = Model(7).StateDict();
        foreach (var (k, t) in a) Assert.True(t.BitwiseEquals(b[k]), k);
        Assert.False(Model(8).StateDict()["0.weight"].BitwiseEquals(a["0.weight"]));
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        var m = Model(1);
        m.Eval();
        Assert.All(m.NamedModules(), x => Assert.False(x.Module.Training));
        m.Train();
        Assert.All(m.NamedModules(), x => Assert.True(x.Module.Training));
    }

    [Fact]
    public void StateDictRoundTripsAndGivesTheSameOutputs()
    {
        var a = Model(1);
        a.Call(Tensor.Normal(new Rng(3), 0, 1, DType.Float32, 16, 4));        // moves the running statistics
        var saved = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var b = Model(2);
        b.LoadStateDict(saved);
        a.Eval(); b.Eval();
        var x = Tensor.Normal(new Rng(4), 0, 1, DType.Float32, 5, 4);
        Assert.True(a.Call(x).BitwiseEquals(b.Call(x)));
    }

    [Fact]
    public void StateDictErrorsNameTheTensor()
    {
        var m = Model(1);
        var state = m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var missing = new Dictionary<string, Tensor>(state); missing.Remove("4.weight");
        Assert.Contains("missing 4.weight", Assert.Throws<ArgumentException>(() => m.LoadStateDict(missing)).Message);
        var extra = new Dictionary<string, Tensor>(state) { ["9.weight"] = Tensor.Zeros(2) };
        Assert.Contains("unexpected 9.weight", Assert.Throws<ArgumentException>(() => m.LoadStateDict(extra)).Message);
        var shaped = new Dictionary<string, Tensor>(state) { ["0.weight"] = Tensor.Zeros(4, 8) };
        var e = Assert.Throws<ShapeException>(() => m.LoadStateDict(shaped));
        Assert.Contains("'0.weight'", e.Message);
        Assert.Contains("[4, 8]", e.Message);
        Assert.Contains("[8, 4]", e.Message);
    }

    [Fact]
    public void SummaryOfAKnownModel()
    {
        var m = new Sequential(new Flatten(), new Linear(784, 256, new Rng(1)), new ReLU(), new Dropout(0.5, new Rng(2)),
            new Residual(new Sequential(new Linear(256, 256, new Rng(3)), new Tanh())), new BatchNorm1d(256), new Linear(256, 10, new Rng(4)));
        var s = m.Summary(32, 1, 28, 28);
        Assert.Equal(
            ["0 Flatten [32, 784] 0", "1 Linear [32, 256] 200960", "2 ReLU [32, 256] 0", "3 Dropout [32, 256] 0",
             "4.body.0 Linear [32, 256] 65792", "4.body.1 Tanh [32, 256] 0", "5 BatchNorm1d [32, 256] 512", "6 Linear [32, 10] 2570"],
            s.Rows.Select(r => $"{r.Name} {r.Type} {Shape.Format(r.OutputShape)} {r.Parameters}").ToArray());
        Assert.Equal([32, 10], s.OutputShape);
        Assert.Equal(200960 + 65792 + 512 + 2570, s.TotalParameters);
        Assert.Equal(512, s.BufferElements);
        Assert.True(m.Training);                                             // restored
        Assert.Throws<ShapeException>(() => m.Summary(0, 784));
    }

    [Fact]
    public void ToFloat64ConvertsEveryTensorAndKeepsLayersWorking()
    {
        var m = Model(1);
        m.To(DType.Float64);
        Assert.All(m.StateDict().Values, t => Assert.Equal(DType.Float64, t.DType));
        var y = m.Call(Tensor.Normal(new Rng(1), 0, 1, DType.Float64, 4, 4));
        Assert.Equal(DType.Float64, y.DType);
    }
}
