using Descent.Init;
using Descent.Losses;
using Descent.Nn;

namespace Descent.Tests.Nn;

/// <summary>The building blocks together: a seeded MLP learns XOR with cross-entropy and plain gradient descent.</summary>
public class MlpTrainingTests
{
    [Theory]
    [InlineData("tanh", false, 0.0)]
    [InlineData("relu", true, 0.0)]
    [InlineData("gelu", false, 0.1)]
    public void LearnsXor(string activation, bool batchNorm, double dropout)
    {
        var x = Tensor.From([0.0, 0, 0, 1, 1, 0, 1, 1], 4, 2).To(DType.Float32);      // float32, as in training
        int[] y = [0, 1, 1, 0];
        var model = Mlp.Create([2, 16, 2], activation, Initializer.Parse("xavier"), batchNorm, dropout, new Rng(42));
        var loss = new CrossEntropyLoss();
        double first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            model.ZeroGrad();
            var l = loss.Forward(model.Call(x), y);
            l.Backward();
            foreach (var p in model.Parameters) Descent.Ops.AddInPlace(p, p.Grad!.Mul(-0.5));
            if (step == 0) first = l.Item();
            last = l.Item();
        }
        Assert.True(last < 0.25 * first, $"loss {first} → {last}");
        model.Eval();
        var pred = model.Call(x).ArgMax(1);
        Assert.Equal(y, pred);
    }

    [Fact]
    public void Float32CrossEntropyAgreesWithFloat64()
    {
        var z = Tensor.Normal(new Rng(1), 0, 3, DType.Float64, 32, 10);
        var t = Enumerable.Range(0, 32).Select(i => i % 10).ToArray();
        double a = z.CrossEntropy(t).Item(), b = z.To(DType.Float32).CrossEntropy(t).Item();
        Assert.Equal(a, b, 1e-5);
    }
}
