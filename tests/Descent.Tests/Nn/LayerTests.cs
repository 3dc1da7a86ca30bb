using Descent.Init;
using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Nn;

/// <summary>Linear, Flatten, Residual and the activation modules: shapes, defaults, gradient checks.</summary>
public class LayerTests
{
    [Fact]
    public void LinearHasPyTorchLayoutAndDefaultInit()
    {
        var lin = new Linear(400, 30, new Rng(1), dtype: DType.Float64);
        Assert.Equal([30, 400], lin.Weight.ShapeArray);
        Assert.Equal([30], lin.Bias!.ShapeArray);
        double bound = 1 / Math.Sqrt(400);
        Assert.True(lin.Weight.ToArray().All(v => Math.Abs(v) <= bound));
        Assert.True(lin.Bias.ToArray().All(v => Math.Abs(v) <= bound));
        Assert.True(lin.Weight.ToArray().Max() > 0.95 * bound);
        double var = lin.Weight.ToArray().Select(v => v * v).Average();
        Assert.Equal(bound * bound / 3, var, 0.1 * bound * bound / 3);
        Assert.Equal(400 * 30 + 30, lin.ParameterCount);
        Assert.Null(new Linear(4, 3, new Rng(1), bias: false).Bias);
    }

    [Fact]
    public void LinearTakesInitializersAndIsReproducibleFromASeed()
    {
        var a = new Linear(5, 4, new Rng(3), weightInit: Initializer.Parse("he"), biasInit: Initializer.Zeros);
        var b = new Linear(5, 4, new Rng(3), weightInit: Initializer.Parse("he"), biasInit: Initializer.Zeros);
        Assert.True(a.Weight.BitwiseEquals(b.Weight));
        Assert.True(a.Bias!.ToArray().All(v => v == 0));
        var x = Tensor.Normal(new Rng(4), 0, 1, DType.Float32, 2, 5);
        var y = a.Call(x);
        for (int i = 0; i < 2; i++)
            for (int o = 0; o < 4; o++)
            {
                double s = 0;
                for (int k = 0; k < 5; k++) s += x[i, k] * a.Weight[o, k];
                Assert.Equal(s, y[i, o], 1e-5);
            }
        Assert.Contains("[batch, 5]", Assert.Throws<ShapeException>(() => a.Call(Tensor.Zeros(2, 6))).Message);
    }

    [Fact]
    public void EveryLayerPassesTheGradientCheck()
    {
        var rng = new Rng(21);
        var x = Param(rng, 5, 4);
        var lin = new Linear(4, 3, rng, dtype: DType.Float64);
        AssertGradients(() => lin.Call(x).Square().Sum(), x, lin.Weight, lin.Bias!);
        var x3 = Param(rng, 2, 3, 2);
        AssertGradients(() => new Flatten().Call(x3).Square().Sum(), x3);
        foreach (var name in Activation.Names)
        {
            var act = Activation.Create(name);
            var gy = Tensor.Normal(rng, 0, 1, DType.Float64, 5, 4);
            AssertGradients(() => act.Call(x).Mul(gy).Sum(), x);
        }
    }

    [Fact]
    public void ActivationsComputeTheirFormulas()
    {
        var x = Tensor.From([-2.0, -0.5, 0.0, 0.5, 2.0], 1, 5);
        double[] v = [-2, -0.5, 0, 0.5, 2];
        Assert.Equal(v, new Identity().Call(x).ToArray());
        Assert.Equal(v.Select(a => Math.Max(0, a)), new ReLU().Call(x).ToArray());
        Assert.Equal(v.Select(a => a > 0 ? a : 0.2 * a), Activation.Create("leaky_relu:0.2").Call(x).ToArray());
        Close(v.Select(a => 1 / (1 + Math.Exp(-a))).ToArray(), new Sigmoid().Call(x).ToArray(), 1e-14);
        Close(v.Select(Math.Tanh).ToArray(), new Tanh().Call(x).ToArray(), 1e-14);
        Close(v.Select(a => a > 0 ? a : Math.Exp(a) - 1).ToArray(), new ELU().Call(x).ToArray(), 1e-14);
        Close(v.Select(a => 0.5 * a * (1 + SpecialFunctions.Erf(a / Math.Sqrt(2)))).ToArray(), new GELU().Call(x).ToArray(), 1e-12);
        Assert.Equal(1, new Softmax().Call(x).ToArray().Sum(), 1e-14);
        var e = Assert.Throws<ArgumentException>(() => Activation.Create("swish"));
        Assert.Contains("'swish'", e.Message);
        Assert.Contains("leaky_relu", e.Message);
    }

    [Fact]
    public void ResidualAddsTheInputAndProjectsWhenShapesDiffer()
    {
        var rng = new Rng(5);
        var body = new Linear(3, 3, rng, dtype: DType.Float64);
        var block = new Residual(body);
        var x = Param(rng, 4, 3);
        var y = block.Call(x);
        var f = body.Call(x);
        for (int i = 0; i < y.Length; i++) Assert.Equal(f[i] + x[i], y[i], 1e-14);
        Assert.Equal(["body.weight", "body.bias"], block.NamedParameters().Select(p => p.Name).ToArray());
        AssertGradients(() => block.Call(x).Tanh().Sum(), x, body.Weight, body.Bias!);

        var wide = new Residual(new Linear(3, 5, rng, dtype: DType.Float64));
        Assert.Contains("projection", Assert.Throws<ShapeException>(() => wide.Call(x)).Message);
        var proj = Residual.WithProjection(new Sequential(new Linear(3, 5, rng, dtype: DType.Float64), new ReLU()), 3, 5, rng, DType.Float64);
        Assert.Equal(["body.0.weight", "body.0.bias", "shortcut.weight"], proj.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal([4, 5], proj.Call(x).ShapeArray);
        AssertGradients(() => proj.Call(x).Tanh().Sum(), [x, .. proj.Parameters]);
    }
}
