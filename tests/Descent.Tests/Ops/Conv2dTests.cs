using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>Ops.Conv2d: the finite-difference gradient check of x, W and b on both kernel sets, shapes and shape errors.</summary>
public class Conv2dTests
{
    /// <summary>(name, N, Cin, H, W, Cout, kh, kw, stride, padding, dilation, groups, bias).</summary>
    private static readonly (string Name, int N, int Cin, int H, int W, int Cout, int Kh, int Kw, (int, int) S, (int, int) P, (int, int) D, int G, bool Bias)[] Shapes =
    [
        ("3x3", 2, 3, 5, 6, 4, 3, 3, (1, 1), (0, 0), (1, 1), 1, true),
        ("3x3_pad1", 2, 2, 5, 5, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, true),
        ("3x3_pad2_stride2", 2, 2, 6, 7, 3, 3, 3, (2, 2), (2, 2), (1, 1), 1, true),
        ("stride2", 1, 3, 7, 6, 2, 3, 3, (2, 2), (0, 0), (1, 1), 1, true),
        ("dilation2", 2, 2, 7, 7, 3, 3, 3, (1, 1), (1, 1), (2, 2), 1, true),
        ("groups2", 2, 4, 5, 5, 6, 3, 3, (1, 1), (1, 1), (1, 1), 2, true),
        ("no_bias", 2, 3, 5, 5, 2, 3, 3, (1, 1), (1, 1), (1, 1), 1, false),
        ("batch1", 1, 2, 4, 5, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, true),
        ("1x1", 2, 3, 4, 4, 5, 1, 1, (1, 1), (0, 0), (1, 1), 1, true),
        ("1x1_stride2_groups3", 2, 3, 5, 5, 3, 1, 1, (2, 2), (0, 0), (1, 1), 3, true),
        ("rect", 2, 2, 6, 7, 3, 2, 3, (2, 1), (1, 0), (1, 2), 1, true),
    ];

    public static TheoryData<string, string> Cases()
    {
        var d = new TheoryData<string, string>();
        foreach (var k in new[] { "reference", "fast" })
            foreach (var s in Shapes) d.Add(k, s.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesNumericalGradient(string kernels, string shape)
    {
        using var _ = Use(kernels);
        var s = Shapes.Single(c => c.Name == shape);
        var r = new Rng(77);
        var x = Param(r, s.N, s.Cin, s.H, s.W);
        var w = Param(r, s.Cout, s.Cin / s.G, s.Kh, s.Kw);
        var b = s.Bias ? Param(r, s.Cout) : null;
        Tensor F() => x.Conv2d(w, b, s.S, s.P, s.D, s.G);
        var weights = Tensor.Normal(new Rng(99), 0, 1, DType.Float64, F().ShapeArray);   // a fixed weighting: the loss is not symmetric in the outputs
        Tensor L() => F().Mul(weights).Sum();
        if (b is null) AssertGradients(L, x, w); else AssertGradients(L, x, w, b);
    }

    [Theory]
    [InlineData(28, 3, 1, 1, 1, 28)]
    [InlineData(28, 3, 1, 0, 1, 26)]
    [InlineData(28, 3, 2, 1, 1, 14)]
    [InlineData(7, 3, 2, 0, 1, 3)]
    [InlineData(7, 3, 1, 1, 2, 5)]
    [InlineData(5, 1, 2, 0, 1, 3)]
    [InlineData(3, 3, 1, 0, 1, 1)]
    public void OutputSizeIsPyTorchs(int n, int k, int s, int p, int d, int expected)
    {
        var y = Tensor.Zeros(DType.Float64, 1, 1, n, n).Conv2d(Tensor.Zeros(DType.Float64, 1, 1, k, k), stride: s, padding: p, dilation: d);
        Assert.Equal(new[] { 1, 1, expected, expected }, y.ShapeArray);
    }

    [Fact]
    public void ShapeErrorsAreOneClearLine()
    {
        var x = Tensor.Zeros(2, 3, 8, 8);
        var e1 = Assert.Throws<ShapeException>(() => Tensor.Zeros(3, 8, 8).Conv2d(Tensor.Zeros(4, 3, 3, 3)));
        Assert.Equal("conv2d: expected input [N, C, H, W] (4-D), got [3, 8, 8].", e1.Message);
        var e2 = Assert.Throws<ShapeException>(() => x.Conv2d(Tensor.Zeros(4, 2, 3, 3)));
        Assert.Equal("conv2d: weight [4, 2, 3, 3] does not fit input [2, 3, 8, 8] with groups=1 (expected weight [out, 3, kh, kw] with out a multiple of 1).", e2.Message);
        var e3 = Assert.Throws<ShapeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), Tensor.Zeros(5)));
        Assert.Equal("conv2d: bias [5] does not fit weight [4, 3, 3, 3] (expected [4]).", e3.Message);
        var e4 = Assert.Throws<ShapeException>(() => x.Conv2d(Tensor.Zeros(4, 3, 9, 9)));
        Assert.Equal("conv2d: kernel 9×9 with dilation (1, 1) does not fit input 8×8 padded by (0, 0) (output would be 0×0).", e4.Message);
        var e5 = Assert.Throws<ShapeException>(() => x.Conv2d(Tensor.Zeros(4, 1, 3, 3), groups: 2));
        Assert.Contains("with groups=2", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), stride: 0));
        Assert.StartsWith("conv2d: expected stride ≥ 1", e6.Message);
        foreach (var m in new[] { e1.Message, e2.Message, e3.Message, e4.Message, e5.Message, e6.Message }) Assert.DoesNotContain('\n', m);
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void AnEmptyBatchGivesEmptyOutputsAndZeroParameterGradients(string kernels)
    {
        using var _ = Use(kernels);
        var r = new Rng(8);
        var x = Param(r, 0, 2, 5, 5);
        var w = Param(r, 3, 2, 3, 3);
        var b = Param(r, 3);
        var y = x.Conv2d(w, b, padding: 1);
        Assert.Equal([0, 3, 5, 5], y.ShapeArray);
        y.Sum().Backward();
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0, v));
        Assert.All(b.Grad!.ToArray(), v => Assert.Equal(0, v));
        Assert.Equal([0, 2, 5, 5], x.Grad!.ShapeArray);
    }

    [Fact]
    public void Float32AndFloat64Agree()
    {
        var r = new Rng(3);
        var x = Tensor.Normal(r, 0, 1, DType.Float64, 3, 5, 9, 9);
        var w = Tensor.Normal(r, 0, 1, DType.Float64, 7, 5, 3, 3);
        var b = Tensor.Normal(r, 0, 1, DType.Float64, 7);
        var y64 = x.Conv2d(w, b, stride: 2, padding: 1).ToArray();
        var y32 = x.To(DType.Float32).Conv2d(w.To(DType.Float32), b.To(DType.Float32), stride: 2, padding: 1).ToArray();
        Close(y64, y32, 1e-4, floor: 1, what: "float32 vs float64");
    }
}
