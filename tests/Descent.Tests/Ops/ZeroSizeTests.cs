using Descent.Kernels;

namespace Descent.Tests.Ops;

/// <summary>
/// Zero-size dimensions follow PyTorch: a product over an empty inner dimension is zeros (plus the bias), an empty
/// output dimension gives an empty result, and gradients flow through both (issue 17, item 11).
/// </summary>
public class ZeroSizeTests
{
    public static TheoryData<string, DType> Cases => new()
    {
        { "reference", DType.Float32 }, { "fast", DType.Float32 }, { "reference", DType.Float64 }, { "fast", DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMulWithAnEmptyInnerDimensionIsZeros(string kernels, DType dtype)
    {
        using var _ = TestSupport.Use(kernels);
        var a = Tensor.Zeros(dtype, 3, 0);
        var b = Tensor.Zeros(dtype, 0, 4);
        a.RequiresGrad = true; b.RequiresGrad = true;
        var c = a.MatMul(b);                                   // torch.zeros(3, 0) @ torch.zeros(0, 4) = zeros(3, 4)
        Assert.Equal([3, 4], c.ShapeArray);
        Assert.All(c.ToArray(), v => Assert.Equal(0.0, v));
        c.Sum().Backward();
        Assert.Equal([3, 0], a.Grad!.ShapeArray);
        Assert.Equal([0, 4], b.Grad!.ShapeArray);
        var t = Tensor.Zeros(dtype, 0, 3).MatMul(Tensor.Zeros(dtype, 4, 0), transposeA: true, transposeB: true);   // [3, 0]·[0, 4]
        Assert.Equal([3, 4], t.ShapeArray);
        Assert.All(t.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMulWithAnEmptyOutputDimensionIsEmpty(string kernels, DType dtype)
    {
        using var _ = TestSupport.Use(kernels);
        var rng = new Rng(1);
        var a = Tensor.Normal(rng, 0, 1, dtype, 3, 5);
        a.RequiresGrad = true;
        var c = a.MatMul(Tensor.Zeros(dtype, 5, 0));
        Assert.Equal([3, 0], c.ShapeArray);
        c.Sum().Backward();
        Assert.Equal(new double[15], a.Grad!.ToArray());       // Σ of nothing: every gradient is 0
        Assert.Equal([0, 4], Tensor.Zeros(dtype, 0, 5).MatMul(Tensor.Zeros(dtype, 5, 4)).ShapeArray);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LinearWithNoInputFeaturesGivesTheBias(string kernels, DType dtype)
    {
        using var _ = TestSupport.Use(kernels);
        var x = Tensor.Zeros(dtype, 3, 0);
        var w = Tensor.Zeros(dtype, 4, 0);
        var b = Tensor.From(new[] { 1.0, -2, 3, 0.5 }, 4);
        if (dtype == DType.Float32) b = Tensor.From(new[] { 1f, -2, 3, 0.5f }, 4);
        x.RequiresGrad = true; w.RequiresGrad = true; b.RequiresGrad = true;
        var y = x.Linear(w, b);                                // torch: every row is the bias
        Assert.Equal([3, 4], y.ShapeArray);
        Assert.Equal([1.0, -2, 3, 0.5, 1, -2, 3, 0.5, 1, -2, 3, 0.5], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([3.0, 3, 3, 3], b.Grad!.ToArray());
        Assert.Equal([4, 0], w.Grad!.ShapeArray);
        Assert.Equal([3, 0], x.Grad!.ShapeArray);
        Assert.Equal([3, 0], Tensor.Zeros(dtype, 3, 2).Linear(Tensor.Zeros(dtype, 0, 2)).ShapeArray);   // no outputs
    }

    /// <summary>The kernels accept leading dimension 0 for an empty matrix and still check a non-empty one.</summary>
    [Fact]
    public void GemmChecksOnlyMatricesThatAreRead()
    {
        foreach (IKernels k in new IKernels[] { ReferenceKernels.Instance, FastKernels.Instance })
        {
            var c = new float[6];
            Array.Fill(c, 7f);
            k.Gemm(false, false, 2, 3, 0, 1f, default, 0, default, 3, 0f, c, 3, new float[] { 1, 2, 3 }, GemmActivation.None);
            Assert.Equal([1f, 2, 3, 1, 2, 3], c);
            k.Gemm(false, false, 0, 0, 0, 1f, default, 0, default, 0, 0f, default, 0);
            var e = Assert.Throws<ArgumentException>(() => k.Gemm(false, false, 2, 3, 2, 1f, new float[4], 1, new float[6], 3, 0f, c, 3));
            Assert.Contains("leading dimensions too small", e.Message);
        }
    }
}
