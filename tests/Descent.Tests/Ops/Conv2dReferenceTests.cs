using System.Text.Json;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>
/// Ops.Conv2d against PyTorch's F.conv2d in float64 (Reference/conv2d.json, made by PyTorch 1.13 from seed 0), on both
/// kernel sets, to 1e-10: the output and ∂L/∂x, ∂L/∂W, ∂L/∂b.
/// </summary>
/// <remarks>
/// Case 1 is conv2d(stride 1, padding 1) followed by max_pool2d(2) with the upstream gradient given at the pooled
/// output; the test routes it back through the pool itself (each 2×2 window's gradient to the window's largest element,
/// as PyTorch does) to get ∂L/∂y of the convolution. Case 2 (stride 2, no padding, no bias) gives ∂L/∂y directly.
/// </remarks>
public class Conv2dReferenceTests
{
    private const double Tolerance = 1e-10;

    private static JsonElement Data => Reference("conv2d.json");

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void Case1StridePaddingBiasThenMaxPool(string kernels)
    {
        using var _ = Use(kernels);
        var d = Data; var c = d.GetProperty("case1");
        Assert.Equal(1, c.GetProperty("stride").GetInt32());
        Assert.Equal(1, c.GetProperty("padding").GetInt32());
        var (x, w, b) = (Leaf(d.GetProperty("x")), Leaf(d.GetProperty("weight")), Leaf(d.GetProperty("bias")));
        var y = x.Conv2d(w, b, stride: 1, padding: 1);
        Close(Flat(c.GetProperty("y")), y.ToArray(), Tolerance, floor: 1, what: "case1 y");
        Assert.Equal(ShapeOf(c.GetProperty("y")), y.ShapeArray);
        var gy = MaxPoolGradient(Tensor64(c.GetProperty("y")), Tensor64(c.GetProperty("grad_pooled")));
        y.Backward(gy);
        Close(Flat(c.GetProperty("grad_x")), x.Grad!.ToArray(), Tolerance, floor: 1, what: "case1 ∂x");
        Close(Flat(c.GetProperty("grad_weight")), w.Grad!.ToArray(), Tolerance, floor: 1, what: "case1 ∂W");
        Close(Flat(c.GetProperty("grad_bias")), b.Grad!.ToArray(), Tolerance, floor: 1, what: "case1 ∂b");
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void Case2Stride2NoPaddingNoBias(string kernels)
    {
        using var _ = Use(kernels);
        var d = Data; var c = d.GetProperty("case2");
        Assert.Equal(2, c.GetProperty("stride").GetInt32());
        Assert.Equal(0, c.GetProperty("padding").GetInt32());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("bias").ValueKind);
        var (x, w) = (Leaf(d.GetProperty("x")), Leaf(d.GetProperty("weight")));
        var y = x.Conv2d(w, null, stride: 2, padding: 0);
        Assert.Equal(ShapeOf(c.GetProperty("y")), y.ShapeArray);
        Close(Flat(c.GetProperty("y")), y.ToArray(), Tolerance, floor: 1, what: "case2 y");
        y.Backward(Tensor64(c.GetProperty("grad_y")));
        Close(Flat(c.GetProperty("grad_x")), x.Grad!.ToArray(), Tolerance, floor: 1, what: "case2 ∂x");
        Close(Flat(c.GetProperty("grad_weight")), w.Grad!.ToArray(), Tolerance, floor: 1, what: "case2 ∂W");
    }

    public static TheoryData<string, string> ExtraCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var k in new[] { "reference", "fast" })
            foreach (var c in new[] { "dilation2_pad2", "groups2_pad1", "rect", "pointwise_stride2_nobias", "stride2_pad2" }) d.Add(k, c);
        return d;
    }

    /// <summary>Reference/conv2d_extra.json (made here by conv2d_extra.py with the same PyTorch): dilation, groups, rectangular and 1×1 kernels.</summary>
    [Theory]
    [MemberData(nameof(ExtraCases))]
    public void DilationGroupsAndRectangularShapes(string kernels, string name)
    {
        using var _ = Use(kernels);
        var c = Reference("conv2d_extra.json").GetProperty(name);
        (int, int) Pair(string key) => (c.GetProperty(key)[0].GetInt32(), c.GetProperty(key)[1].GetInt32());
        var (x, w) = (Leaf(c.GetProperty("x")), Leaf(c.GetProperty("weight")));
        var b = c.GetProperty("bias").ValueKind == JsonValueKind.Null ? null : Leaf(c.GetProperty("bias"));
        var y = x.Conv2d(w, b, Pair("stride"), Pair("padding"), Pair("dilation"), c.GetProperty("groups").GetInt32());
        Assert.Equal(ShapeOf(c.GetProperty("y")), y.ShapeArray);
        Close(Flat(c.GetProperty("y")), y.ToArray(), Tolerance, floor: 1, what: $"{name} y");
        y.Backward(Tensor64(c.GetProperty("grad_y")));
        Close(Flat(c.GetProperty("grad_x")), x.Grad!.ToArray(), Tolerance, floor: 1, what: $"{name} ∂x");
        Close(Flat(c.GetProperty("grad_weight")), w.Grad!.ToArray(), Tolerance, floor: 1, what: $"{name} ∂W");
        if (b is not null) Close(Flat(c.GetProperty("grad_bias")), b.Grad!.ToArray(), Tolerance, floor: 1, what: $"{name} ∂b");
    }

    private static Tensor Leaf(JsonElement e)
    {
        var t = Tensor64(e);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>∂L/∂y [N, C, H, W] from the gradient at max_pool2d(2)'s output [N, C, H/2, W/2]: each to its window's first largest element.</summary>
    private static Tensor MaxPoolGradient(Tensor y, Tensor gPooled)
    {
        int n = y.Shape[0], ch = y.Shape[1], h = y.Shape[2], w = y.Shape[3], ph = gPooled.Shape[2], pw = gPooled.Shape[3];
        var g = Tensor.Zeros(DType.Float64, n, ch, h, w);
        for (int i = 0; i < n * ch; i++)
            for (int r = 0; r < ph; r++)
                for (int q = 0; q < pw; q++)
                {
                    int best = -1;
                    for (int u = 0; u < 2; u++)
                        for (int v = 0; v < 2; v++)
                        {
                            int at = (i * h + 2 * r + u) * w + 2 * q + v;
                            if (best < 0 || y[at] > y[best]) best = at;
                        }
                    g[best] += gPooled[(i * ph + r) * pw + q];
                }
        return g;
    }
}
