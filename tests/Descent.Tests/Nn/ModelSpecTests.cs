using Descent.Init;
using Descent.Nn;

namespace Descent.Tests.Nn;

public class ModelSpecTests
{
    [Theory]
    [InlineData("mlp:256,128", "mlp:256,128")]
    [InlineData("MLP: 256, 128, act=Tanh, bn=true, dropout=0.2", "mlp:256,128,act=tanh,bn=true,dropout=0.2")]
    [InlineData("mlp:512x4,residual=true", "mlp:512x4,residual=true")]
    [InlineData("mlp:64,64,32,init=xavier", "mlp:64x2,32,init=xavier")]
    [InlineData("mlp:16,init=(uniform:-0.1,0.1)", "mlp:16,init=(uniform:-0.1,0.1)")]
    [InlineData("mlp", "mlp")]
    [InlineData("linear:128  relu linear", "linear:128 relu linear")]
    [InlineData("dense:64,bias=false batchnorm leaky-relu:0.2 dropout:0.5 linear", "linear:64,bias=false bn leaky_relu:0.2 dropout:0.5 linear")]
    [InlineData("flatten residual(linear:32 tanh) linear:10,init=default", "flatten residual(linear:32 tanh) linear:10,init=default")]
    public void TextRoundTripsToItsCanonicalForm(string text, string canonical)
    {
        var spec = ModelSpec.Parse(text);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(spec, ModelSpec.Parse(canonical));
        Assert.Equal(canonical, ModelSpec.Parse(canonical).ToString());
    }

    [Fact]
    public void MlpBuildsTheSameWeightsAsMlpCreate()
    {
        // The default model of descent train: the spec must draw exactly what Mlp.Create drew, so old seeds give the same run.
        var spec = ModelSpec.Parse("mlp:32,16,bn=true,dropout=0.1");
        var built = spec.Build([1, 5, 4], 3, new Rng(7, 1));
        var reference = Mlp.Create([20, 32, 16, 3], "relu", Initializer.Parse("he"), true, 0.1, new Rng(7, 1));
        Assert.Equal(reference.StateDict().Keys, built.StateDict().Keys);
        foreach (var (name, t) in reference.StateDict()) Assert.True(t.BitwiseEquals(built.StateDict()[name]), name);
        Assert.Equal(["0.weight", "1.weight", "1.bias", "4.weight", "5.weight", "5.bias", "8.weight", "8.bias"], built.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void MlpAndItsLayerListBuildTheSameModel()
    {
        var mlp = ModelSpec.Parse("mlp:24x2,act=gelu,residual=true,dropout=0.2");
        var list = ModelSpec.Parse(mlp.Layers.ToString());
        Assert.Equal("residual(linear:24 gelu dropout:0.2) residual(linear:24 gelu dropout:0.2) linear", list.ToString());
        var a = mlp.Build([6], 2, new Rng(3));
        var b = list.Build([6], 2, new Rng(3));
        foreach (var (name, t) in a.StateDict()) Assert.True(t.BitwiseEquals(b.StateDict()[name]), name);
    }

    [Fact]
    public void ResidualMlpProjectsOnlyWhereTheWidthChanges()
    {
        var model = ModelSpec.Parse("mlp:512x4,residual=true").Build([1, 28, 28], 10, new Rng(1));
        var names = model.StateDict().Keys.ToList();
        Assert.Contains("0.shortcut.weight", names);                       // 784 → 512: a bias-free projection
        Assert.DoesNotContain("0.shortcut.bias", names);
        Assert.DoesNotContain(names, n => n.StartsWith("1.shortcut", StringComparison.Ordinal));   // 512 → 512: identity
        Assert.Contains("3.body.0.weight", names);
        Assert.Equal([10, 512], model.StateDict()["4.weight"].ShapeArray);
        var y = model.Forward(Tensor.Zeros(2, 784));
        Assert.Equal([2, 10], y.ShapeArray);
    }

    [Fact]
    public void LayerListFollowsTheWidthsAndEndsWithTheOutputs()
    {
        var model = ModelSpec.Parse("linear:64 bn relu dropout:0.2 linear:32 tanh linear").Build([5], 4, new Rng(2));
        Assert.Equal(["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "Tanh", "Linear"], model.Layers.Select(l => l.GetType().Name));
        Assert.Equal([64, 5], model.StateDict()["0.weight"].ShapeArray);
        Assert.Equal([4, 32], model.StateDict()["6.weight"].ShapeArray);
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse("linear:64 relu linear:10").Build([5], 3, new Rng(2)));
        Assert.Equal("model 'linear:64 relu linear:10': the model ends with output shape [10]; the data needs [3].", e.Message);
    }

    [Theory]
    [InlineData("mlp:abc", "model 'mlp:abc': 'abc' is not a width; expected a whole number ≥ 1 or WIDTHxCOUNT, e.g. mlp:256,128 or mlp:512x4.")]
    [InlineData("mlp:256,act=nope", "model 'mlp:256,act=nope': act=nope: Activation 'nope' is unknown; expected one of relu, tanh, sigmoid, leaky_relu, elu, gelu, identity, softmax.")]
    [InlineData("mlp:256,dropout=1.5", "model 'mlp:256,dropout=1.5': dropout=1.5; expected a probability in [0, 1).")]
    [InlineData("mlp:256,depth=3", "model 'mlp:256,depth=3': unknown key 'depth' for mlp; accepted: act, bn, dropout, residual, init.")]
    [InlineData("mlp:256,bn=maybe", "model 'mlp:256,bn=maybe': bn=maybe is not true or false.")]
    [InlineData("mlp:act=tanh,256", "model 'mlp:act=tanh,256': '256' comes after a key=value; values without a key come first.")]
    [InlineData("linear:128 relu", "model 'linear:128 relu': the last layer is 'relu'; end with 'linear' (one output per class or target) so the model has the data's outputs.")]
    [InlineData("linear relu linear", "model 'linear relu linear': 'linear' without a width (one output per class or target) must be the last layer; give layer 1 a width, e.g. linear:128.")]
    [InlineData("linear:x linear", "model 'linear:x linear': 'linear:x': 'x' is not a width; expected a whole number ≥ 1, e.g. linear:128.")]
    [InlineData("dropout linear", "model 'dropout linear': 'dropout': expected dropout:P with P a probability, e.g. dropout:0.2.")]
    [InlineData("linear:8,init=hee linear", "model 'linear:8,init=hee linear': 'linear:8,init=hee': init=hee: Initializer 'hee': unknown initializer 'hee'.")]
    public void BadTextIsOneLineQuotingTheBadPart(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(text));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownLayerListsTheRegisteredOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse("lstm:32 relu linear"));
        Assert.StartsWith("model 'lstm:32 relu linear': unknown layer 'lstm'; accepted: ", e.Message);
        Assert.Contains("conv", e.Message);
        Assert.Contains("linear", e.Message);
        Assert.Contains("residual(…)", e.Message);
    }

    [Fact]
    public void EveryModelTextInTheTrainingDocParses()
    {
        var doc = File.ReadAllText(Path.Combine(Descent.Tests.Training.TrainConfigTests.RepoRoot(), "docs", "training.md"));
        var texts = System.Text.RegularExpressions.Regex.Matches(doc, @"--model '([^']+)'|--model ((?:mlp|cnn)[^\s`]*)|`((?:mlp|cnn)[^`]*|conv[^`]* linear[^`]*)`")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)
            .Where(t => t != "mlp:abc" && !t.Contains("act=nope") && !t.Contains('…') && !t.Contains('['))
            .ToList();
        Assert.True(texts.Count >= 8, string.Join(" | ", texts));
        foreach (var t in texts) ModelSpec.Parse(t).Build([1, 28, 28], 10, new Rng(0));
    }

    [Fact]
    public void RecordsChangeWithWith()
    {
        var spec = (MlpSpec)ModelSpec.Parse("mlp:256,128");
        var deeper = spec with { Hidden = [512, 512, 512], Residual = true };
        Assert.Equal("mlp:512x3,residual=true", deeper.ToString());
        Assert.Equal("mlp:256,128", spec.ToString());
        Assert.Throws<ArgumentException>(() => (spec with { Activation = "swish" }).Checked());
    }
}
