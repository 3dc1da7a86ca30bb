using Descent.Nn;
using Descent.Optim;

namespace Descent.Library.Tests.Nn;

[Collection(GlobalRng.Collection)]
public class ModuleApiTests
{
    [Fact]
    public void ToConvertsInPlaceSoTheOptimizerKeepsTraining()
    {
        var model = new Linear(2, 1, new Rng(1));
        var optimizer = new Adam(model.Parameters, lr: 0.1);
        var weight = model.Weight;
        model.To(DType.Float64);
        Assert.Same(weight, model.Weight);
        Assert.Equal(DType.Float64, weight.DType);
        var before = weight.ToArray<double>();
        var x = Tensor.From(new double[,] { { 1, 2 }, { 3, 4 } });
        var loss = (model.Forward(x) - Tensor.From(new double[,] { { 1 }, { 0 } })).Pow(2).Mean();
        model.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        Assert.NotEqual(before, weight.ToArray<double>());
    }

    [Fact]
    public void ZeroGradLeavesUsableGradientsAndEvalKeepsTheType()
    {
        Sequential model = new Sequential(new Linear(3, 2, new Rng(0)), new ReLU()).Eval();
        Assert.False(model.Training);
        model.ZeroGrad();
        Assert.All(model.Parameters, p => Assert.Equal(0, p.Grad!.Sum().Item()));
        model.ZeroGrad(setToNone: true);
        Assert.All(model.Parameters, p => Assert.Null(p.Grad));
    }

    [Fact]
    public void LinearTakesASingleExample()
    {
        var lin = new Linear(3, 2, new Rng(0));
        var one = lin.Forward(Tensor.From(new float[] { 1, 2, 3 }));
        var batch = lin.Forward(Tensor.From(new float[,] { { 1, 2, 3 } }));
        Assert.Equal("[2]", one.Shape.ToString());
        Assert.Equal(batch.ToArray<float>(), one.ToArray<float>());
    }

    [Fact]
    public void ModelsPrintLikePyTorchAndSummarizeAsATable()
    {
        var model = Mlp.Create(inputs: 4, hidden: [16], outputs: 3, rng: new Rng(0));
        Assert.Equal("Sequential(\n  (0): Linear(in_features=4, out_features=16, bias=true)\n  (1): ReLU()\n  (2): Linear(in_features=16, out_features=3, bias=true)\n)",
            model.ToString());
        string table = model.Summary(1, 4).ToString();
        Assert.Contains("Linear  [1, 16]", table);
        Assert.Contains("131", table);                               // 4·16 + 16 + 16·3 + 3
    }

    [Fact]
    public void TheProcessWideSeedFixesDefaultLayersAndAnExplicitRngWins()
    {
        Rng.ManualSeed(42);
        var a = new Linear(4, 3).Weight.ToArray<float>();
        Rng.ManualSeed(42);
        var b = new Linear(4, 3).Weight.ToArray<float>();
        var c = new Linear(4, 3).Weight.ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(b, c);
        Assert.Equal(new Linear(4, 3, new Rng(7)).Weight.ToArray<float>(), new Linear(4, 3, new Rng(7)).Weight.ToArray<float>());
        Rng.ManualSeed(3);
        var r = Tensor.Randn(2, 3);
        Rng.ManualSeed(3);
        Assert.True(r.BitwiseEquals(Tensor.Randn(2, 3)));
    }
}
