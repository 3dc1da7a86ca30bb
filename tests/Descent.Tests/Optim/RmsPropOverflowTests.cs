using Descent.Optim;

namespace Descent.Tests.Optim;

/// <summary>
/// Centered RMSprop with gradients so large that E[g²] overflows: the variance E[g²] − E[g]² must not become
/// ∞ − ∞ = NaN (issue 17, item 11). Golden numbers from PyTorch 1.13 (<c>torch.optim.RMSprop(lr=0.01, alpha=0.9,
/// centered=True, momentum=0.5)</c>, 4 steps): the huge-gradient weights stay put, the others move as usual.
/// </summary>
public class RmsPropOverflowTests
{
    private static readonly double[] Float32Expected =
    [
        -0.8999999761581421, -0.7647696137428284, -0.6646640300750732, -0.6000000238418579, -0.46431154012680054,
        -0.3639829456806183, -0.30000001192092896, -0.1619836390018463, -0.05547022819519043, 0.0, 0.06905273348093033,
        0.16754113137722015, 0.30000001192092896, 0.3665996789932251, 0.46638980507850647, 0.6000000238418579,
        0.6661391258239746, 0.7660582661628723, 0.8999999761581421,
    ];

    private static readonly double[] Float64Expected =
    [
        -0.9, -0.7647696241880051, -0.6646640979749695, -0.6, -0.46431156141032887, -0.3639829293399396, -0.29999999999999993,
        -0.1619836353237538, -0.0554702289588684, 0.0, 0.06905273069272656, 0.16754113205511742, 0.30000000000000016,
        0.3665996830426459, 0.46638980672248687, 0.6, 0.666139193172239, 0.7660583396749814, 0.9,
    ];

    /// <summary>19 weights (a vector part and a scalar tail); every third gets the huge gradient, with alternating sign.</summary>
    private static double[] Run(DType dtype, double big)
    {
        const int n = 19;
        var init = Enumerable.Range(0, n).Select(i => 0.1 * i - 0.9).ToArray();
        var p = dtype == DType.Float32 ? Tensor.From(init.Select(v => (float)v).ToArray(), n) : Tensor.From(init, n);
        p.RequiresGrad = true;
        var opt = new RmsProp([p], lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true);
        for (int step = 0; step < 4; step++)
        {
            var g = Enumerable.Range(0, n).Select(i => (i % 3 == 0 ? big : 0.3 * (i - 9) + 0.1 * step) * (step % 2 == 0 ? 1 : -1)).ToArray();
            p.Grad = dtype == DType.Float32 ? Tensor.From(g.Select(v => (float)v).ToArray(), n) : Tensor.From(g, n);
            opt.Step();
        }
        return p.ToArray();
    }

    [Theory]
    [InlineData(3e21)]
    [InlineData(3e38)]    // near float32's largest: E[g] itself is near overflow
    public void Float32HugeGradientsKeepTheWeightsFinite(double big)
    {
        var w = Run(DType.Float32, big);
        Assert.All(w, v => Assert.True(double.IsFinite(v), $"weight {v}"));
        TestSupport.Close(Float32Expected, w, 1e-6, floor: 1e-3, what: $"float32 g = {big:E0}");
    }

    [Fact]
    public void Float64HugeGradientsKeepTheWeightsFinite()
    {
        var w = Run(DType.Float64, 1e200);
        Assert.All(w, v => Assert.True(double.IsFinite(v), $"weight {v}"));
        TestSupport.Close(Float64Expected, w, 1e-12, what: "float64 g = 1e200");
    }

    /// <summary>A constant gradient: E[g²] − E[g]² is ρᵗ(1 − ρᵗ)g², which rounding can push below 0 (√ of it: NaN).</summary>
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ConstantGradientsNeverGiveNaN(DType dtype)
    {
        var p = Tensor.Zeros(dtype, 37);
        p.RequiresGrad = true;
        var opt = new RmsProp([p], lr: 1e-3, alpha: 0.5, centered: true);
        for (int step = 0; step < 200; step++)
        {
            p.Grad = Tensor.Full(1.7, dtype, 37);   // float32: E[g²] − E[g]² < 0 at 176 of these 200 steps; float64: at one
            opt.Step();
            Assert.All(p.ToArray(), v => Assert.True(double.IsFinite(v), $"step {step}: weight {v}"));
        }
    }
}
