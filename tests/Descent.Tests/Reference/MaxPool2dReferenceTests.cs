using System.Text.Json;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.PyTorchReference;

/// <summary>
/// max_pool2d against PyTorch in float64 (1e-10 relative): the max_pool2d of conv2d.json (copied from
/// ../shared/reference/pytorch) and the cases of pooling.json (made by gen_pooling.py beside it: kernel 3 stride 2
/// padding 1, a non-square window, ties, all-negative input with padding), forward and ∂L/∂x, on both kernel sets.
/// </summary>
public class MaxPool2dReferenceTests
{
    private const double Tol = 1e-10;

    private static (int, int) Pair(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? (e[0].GetInt32(), e[1].GetInt32()) : (e.GetInt32(), e.GetInt32());

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void PoolingCasesMatchPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        int i = 0;
        foreach (var c in Reference("pooling.json").GetProperty("max_pool2d").EnumerateArray())
        {
            var x = Tensor64(c.GetProperty("x"));
            x.RequiresGrad = true;
            var y = x.MaxPool2d(Pair(c.GetProperty("kernel_size")), Pair(c.GetProperty("stride")), Pair(c.GetProperty("padding")));
            Assert.Equal(ShapeOf(c.GetProperty("y")), y.ShapeArray);
            y.Mul(Tensor64(c.GetProperty("grad_y"))).Sum().Backward();
            Close(Flat(c.GetProperty("y")), y.ToArray(), Tol, floor: 1e-8, what: $"case {i} y");
            Close(Flat(c.GetProperty("grad_x")), x.Grad!.ToArray(), Tol, floor: 1e-8, what: $"case {i} grad_x");
            i++;
        }
        Assert.Equal(5, i);
    }

    /// <summary>
    /// conv2d.json's case 1: y = conv2d(x, W, b, padding 1), pooled = max_pool2d(y, 2). The pooled values are matched
    /// directly; ∂L/∂y from max_pool2d's backward is carried through the convolution by plain loops here (∂L/∂b, ∂L/∂W,
    /// ∂L/∂x of a stride-1 convolution) and matched with PyTorch's gradients.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void ConvThenMaxPoolMatchesPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        var d = Reference("conv2d.json");
        var c = d.GetProperty("case1");
        Assert.Equal("max_pool2d(2)", c.GetProperty("then").GetString());
        var y = Tensor64(c.GetProperty("y"));                                   // [2, 4, 7, 6]
        y.RequiresGrad = true;
        var pooled = y.MaxPool2d(2);                                            // [2, 4, 3, 3]
        Assert.Equal([2, 4, 3, 3], pooled.ShapeArray);
        Close(Flat(c.GetProperty("pooled")), pooled.ToArray(), Tol, floor: 1e-8, what: "pooled");
        pooled.Mul(Tensor64(c.GetProperty("grad_pooled"))).Sum().Backward();
        var gy = y.Grad!.ToArray();                                             // [2, 4, 7, 6] ∂L/∂y

        var x = Flat(d.GetProperty("x"));                                       // [2, 3, 7, 6]
        var w = Flat(d.GetProperty("weight"));                                  // [4, 3, 3, 3]
        int n = 2, ci = 3, co = 4, h = 7, wd = 6, k = 3, pad = 1;
        var gb = new double[co];
        var gw = new double[co * ci * k * k];
        var gx = new double[n * ci * h * wd];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < h; r++)
                    for (int s = 0; s < wd; s++)
                    {
                        double g = gy[((b * co + o) * h + r) * wd + s];
                        gb[o] += g;
                        for (int i = 0; i < ci; i++)
                            for (int kh = 0; kh < k; kh++)
                                for (int kw = 0; kw < k; kw++)
                                {
                                    int ih = r + kh - pad, iw = s + kw - pad;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    int xi = ((b * ci + i) * h + ih) * wd + iw, wi = ((o * ci + i) * k + kh) * k + kw;
                                    gw[wi] += g * x[xi];
                                    gx[xi] += g * w[wi];
                                }
                    }
        Close(Flat(c.GetProperty("grad_bias")), gb, Tol, floor: 1e-8, what: "grad_bias");
        Close(Flat(c.GetProperty("grad_weight")), gw, Tol, floor: 1e-8, what: "grad_weight");
        Close(Flat(c.GetProperty("grad_x")), gx, Tol, floor: 1e-8, what: "grad_x");
    }
}
