using Descent.Optim;

namespace Descent.Tests.Optim;

public class OptimizerSpecTests
{
    private static Tensor X() { var x = Tensor.Zeros(3); x.RequiresGrad = true; return x; }

    [Fact]
    public void TextFormsBuildTheOptimizerWithPyTorchDefaults()
    {
        var adam = Assert.IsType<Adam>(OptimizerSpec.Parse("adam:lr=1e-3,beta1=0.9,beta2=0.999").Create([X()]));
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Eps, adam.WeightDecay, adam.AmsGrad));
        var sgd = Assert.IsType<Sgd>(OptimizerSpec.Parse("SGD: lr=0.1, momentum=0.9, nesterov=true").Create([X()]));
        Assert.Equal((0.1, 0.9, true), (sgd.LearningRate, sgd.MomentumFactor, sgd.Nesterov));
        Assert.Equal(1e-2, Assert.IsType<AdamW>(OptimizerSpec.Parse("adamw").Create([X()])).WeightDecay);
        Assert.Equal(1e-10, Assert.IsType<Adagrad>(OptimizerSpec.Parse("adagrad").Create([X()])).Eps);
        Assert.Equal(0.99, Assert.IsType<RmsProp>(OptimizerSpec.Parse("rmsprop").Create([X()])).Alpha);
        Assert.Equal(0.9, Assert.IsType<Momentum>(OptimizerSpec.Parse("momentum:lr=0.01").Create([X()])).MomentumFactor);
        Assert.Equal(0.02, OptimizerSpec.Parse("momentum:lr=0.02").LearningRate);
    }

    [Theory]
    [InlineData("adamx:lr=1", "Unknown optimizer 'adamx' in 'adamx:lr=1'; accepted: sgd, momentum, adagrad, rmsprop, adam, adamw.")]
    [InlineData("adam:beta3=1", "optimizer 'adam:beta3=1': unknown key 'beta3' for adam; accepted: lr, beta1, beta2, eps, weight_decay, amsgrad.")]
    [InlineData("sgd:lr=fast", "optimizer 'sgd:lr=fast': lr=fast is not a number.")]
    [InlineData("sgd:nesterov=maybe", "optimizer 'sgd:nesterov=maybe': nesterov=maybe is not true or false.")]
    [InlineData("sgd:lr", "optimizer 'sgd:lr': 'lr' is not key=value.")]
    public void BadTextGivesOneClearLine(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerSpec.Parse(text));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BadValuesAreCaughtAtParseTime()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerSpec.Parse("adam:beta1=1.5"));
        Assert.Equal("optimizer 'adam:beta1=1.5': adam: invalid beta1: 1.5 (expected in [0, 1)).", e.Message);
    }
}
