using Descent.Init;
using Descent.Nn;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Nn;

/// <summary>The Conv2d module: PyTorch's layout, state-dict names, default initialization and repr; forward = the op.</summary>
public class Conv2dTests
{
    [Fact]
    public void HasPyTorchLayoutNamesAndDefaultInit()
    {
        var conv = new Conv2d(6, 40, 3, new Rng(1), padding: 1, groups: 2, dtype: DType.Float64);
        Assert.Equal([40, 3, 3, 3], conv.Weight.ShapeArray);
        Assert.Equal([40], conv.Bias!.ShapeArray);
        Assert.Equal(["weight", "bias"], conv.StateDict().Keys.ToArray());
        double bound = 1 / Math.Sqrt(3 * 3 * 3);                            // fan_in = in/groups · kh · kw
        Assert.True(conv.Weight.ToArray().All(v => Math.Abs(v) <= bound));
        Assert.True(conv.Bias.ToArray().All(v => Math.Abs(v) <= bound));
        Assert.True(conv.Weight.ToArray().Max() > 0.9 * bound);
        double var = conv.Weight.ToArray().Select(v => v * v).Average();
        Assert.Equal(bound * bound / 3, var, 0.15 * bound * bound / 3);
        Assert.Equal(40 * 27 + 40, conv.ParameterCount);
        Assert.Null(new Conv2d(1, 2, 3, new Rng(1), bias: false).Bias);
        Assert.Equal(DType.Float32, new Conv2d(1, 2, 3, new Rng(1)).Weight.DType);
    }

    [Fact]
    public void ToStringIsPyTorchsRepr()
    {
        var rng = new Rng(2);
        Assert.Equal("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(1, 32, 3, rng, padding: 1).ToString());
        Assert.Equal("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), bias=False)", new Conv2d(3, 8, 3, rng, bias: false).ToString());
        Assert.Equal("Conv2d(4, 6, kernel_size=(2, 3), stride=(2, 1), padding=(1, 0), dilation=(2, 2), groups=2)",
            new Conv2d(4, 6, (2, 3), rng, (2, 1), (1, 0), (2, 2), groups: 2).ToString());
        Assert.Equal("Conv2d(3, 8, kernel_size=(5, 5), stride=(2, 2))", new Conv2d(3, 8, 5, rng, stride: 2).ToString());
    }

    [Fact]
    public void ForwardIsTheOpAndIsReproducibleFromASeed()
    {
        var a = new Conv2d(2, 3, 3, new Rng(5), stride: 2, padding: 1, weightInit: Initializer.Parse("he"), biasInit: Initializer.Zeros);
        var b = new Conv2d(2, 3, 3, new Rng(5), stride: 2, padding: 1, weightInit: Initializer.Parse("he"), biasInit: Initializer.Zeros);
        Assert.True(a.Weight.BitwiseEquals(b.Weight));
        Assert.True(a.Bias!.ToArray().All(v => v == 0));
        var x = Tensor.Normal(new Rng(4), 0, 1, DType.Float32, 2, 2, 7, 7);
        var y = a.Call(x);
        Assert.Equal([2, 3, 4, 4], y.ShapeArray);
        Assert.True(y.BitwiseEquals(x.Conv2d(a.Weight, a.Bias, stride: 2, padding: 1)));
    }

    [Fact]
    public void ConvertsToFloat64AndKeepsItsValues()
    {
        var conv = new Conv2d(2, 3, 3, new Rng(6), padding: 1);
        var w32 = conv.Weight.ToArray();
        conv.To(DType.Float64);
        Assert.Equal(DType.Float64, conv.Weight.DType);
        Assert.Equal(DType.Float64, conv.Bias!.DType);
        Assert.Equal(w32, conv.Weight.ToArray());
        Assert.Equal([1, 3, 4, 4], conv.Call(Tensor.Zeros(DType.Float64, 1, 2, 4, 4)).ShapeArray);
    }

    [Fact]
    public void BadArgumentsAreOneClearLine()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, new Rng(1), groups: 2));
        Assert.Equal("Conv2d: in and out channels must be > 0 and multiples of groups, got in 3, out 4, groups 2.", e.Message);
        Assert.StartsWith("Conv2d: expected kernel_size ≥ 1", Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 0, new Rng(1))).Message);
    }

    [Fact]
    public void PassesTheGradientCheck()
    {
        var rng = new Rng(21);
        var x = Param(rng, 2, 2, 5, 5);
        var conv = new Conv2d(2, 3, 3, rng, padding: 1, dtype: DType.Float64);
        var gy = Tensor.Normal(rng, 0, 1, DType.Float64, 2, 3, 5, 5);
        AssertGradients(() => conv.Call(x).Mul(gy).Sum(), x, conv.Weight, conv.Bias!);
    }
}
