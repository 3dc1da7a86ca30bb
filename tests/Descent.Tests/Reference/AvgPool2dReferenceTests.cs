using System.Text.Json;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.PyTorchReference;

/// <summary>
/// avg_pool2d (count_include_pad true and false, padding, non-square windows) and adaptive_avg_pool2d (bins that split,
/// overlap, and outnumber the rows; global pooling) against PyTorch in float64 (pooling.json, made by gen_pooling.py):
/// forward and ∂L/∂x, on both kernel sets.
/// </summary>
public class AvgPool2dReferenceTests
{
    private const double Tol = 1e-10;

    private static (int, int) Pair(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? (e[0].GetInt32(), e[1].GetInt32()) : (e.GetInt32(), e.GetInt32());

    private static int Check(string op, Func<JsonElement, Tensor, Tensor> f)
    {
        int i = 0;
        foreach (var c in Reference("pooling.json").GetProperty(op).EnumerateArray())
        {
            var x = Tensor64(c.GetProperty("x"));
            x.RequiresGrad = true;
            var y = f(c, x);
            Assert.Equal(ShapeOf(c.GetProperty("y")), y.ShapeArray);
            y.Mul(Tensor64(c.GetProperty("grad_y"))).Sum().Backward();
            Close(Flat(c.GetProperty("y")), y.ToArray(), Tol, floor: 1e-8, what: $"{op} case {i} y");
            Close(Flat(c.GetProperty("grad_x")), x.Grad!.ToArray(), Tol, floor: 1e-8, what: $"{op} case {i} grad_x");
            i++;
        }
        return i;
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void AvgPool2dMatchesPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        Assert.Equal(4, Check("avg_pool2d", (c, x) => x.AvgPool2d(Pair(c.GetProperty("kernel_size")), Pair(c.GetProperty("stride")),
            Pair(c.GetProperty("padding")), c.GetProperty("count_include_pad").GetBoolean())));
    }

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void AdaptiveAvgPool2dMatchesPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        Assert.Equal(4, Check("adaptive_avg_pool2d", (c, x) => x.AdaptiveAvgPool2d(Pair(c.GetProperty("output_size")))));
    }
}
