using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Nn;

public class DropoutTests
{
    [Fact]
    public void TrainingKeepsAbout1MinusPAndScalesBy1Over1MinusP()
    {
        var drop = new Dropout(0.3, new Rng(1));
        var y = drop.Call(Tensor.Ones(DType.Float64, 1000, 100)).ToArray();
        int kept = y.Count(v => v != 0);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1 / 0.7, v, 1e-15));
        // Binomial(10⁵, 0.7): sd ≈ 145; 5 sd.
        Assert.InRange(kept, 70000 - 725, 70000 + 725);
        Assert.Equal(1.0, y.Average(), 0.02);
    }

    [Fact]
    public void EvalIsTheIdentityAndEdgeProbabilities()
    {
        var x = Tensor.Normal(new Rng(2), 0, 1, DType.Float64, 10, 10);
        var drop = new Dropout(0.5, new Rng(1));
        drop.Eval();
        Assert.Same(x, drop.Call(x));
        Assert.Same(x, new Dropout(0, new Rng(1)).Call(x));
        Assert.True(new Dropout(1, new Rng(1)).Call(x).ToArray().All(v => v == 0));
        Assert.Throws<ArgumentException>(() => new Dropout(1.5, new Rng(1)));
    }

    [Fact]
    public void SeededMasksRepeatAndGradientsFollowTheMask()
    {
        var x = Tensor.Normal(new Rng(2), 0, 1, DType.Float64, 6, 5);
        Assert.True(new Dropout(0.4, new Rng(8)).Call(x).BitwiseEquals(new Dropout(0.4, new Rng(8)).Call(x)));
        x.RequiresGrad = true;
        var y = new Dropout(0.4, new Rng(8)).Call(x);
        y.Sum().Backward();
        for (int i = 0; i < x.Length; i++) Assert.Equal(y[i] == 0 ? 0 : 1 / 0.6, x.Grad![i], 1e-15);
    }
}
