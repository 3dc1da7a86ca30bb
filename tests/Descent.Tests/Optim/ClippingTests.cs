using Descent.Optim;
using Xunit.Abstractions;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Optim;

/// <summary>../shared/reference/pytorch/clipping.json: clip_grad_norm_ (L2, L1, ∞, no-op) and clip_grad_value_.</summary>
public class ClippingTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryCaseMatchesPyTorch()
    {
        var d = Reference("clipping.json");
        var grads = d.GetProperty("grads_in").EnumerateArray().Select(Tensor64).ToArray();
        double worst = 0;
        foreach (var c in d.GetProperty("cases").EnumerateArray())
        {
            var ps = grads.Select(g => { var p = g.ZerosLike(); p.RequiresGrad = true; p.Grad = g.Clone(); return p; }).ToArray();
            string what;
            if (c.GetProperty("kind").GetString() == "norm")
            {
                var nt = c.GetProperty("norm_type");
                double normType = nt.ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble();
                double total = GradientClipping.ClipGradNorm(ps, c.GetProperty("max_norm").GetDouble(), normType);
                what = $"norm {normType}";
                double expectedTotal = c.GetProperty("total_norm").GetDouble();
                worst = Math.Max(worst, MaxRel([expectedTotal], [total]));
                Close([expectedTotal], [total], 1e-10, what: what + " total");
            }
            else
            {
                GradientClipping.ClipGradValue(ps, c.GetProperty("clip_value").GetDouble());
                what = "value";
            }
            var outs = c.GetProperty("grads_out").EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++)
            {
                worst = Math.Max(worst, MaxRel(Flat(outs[i]), ps[i].Grad!.ToArray()));
                Close(Flat(outs[i]), ps[i].Grad!.ToArray(), 1e-10, what: $"{what} grad {i}");
            }
        }
        output.WriteLine($"clipping.json: max relative difference {worst:E3}");
    }

    [Fact]
    public void NonFiniteNormFailsOnlyWhenAsked()
    {
        var p = Tensor.From([1.0, double.NaN], 2); p.RequiresGrad = true;
        p.Grad = Tensor.From([1.0, double.NaN], 2);
        Assert.True(double.IsNaN(GradientClipping.ClipGradNorm([p], 1.0)));
        p.Grad = Tensor.From([1.0, double.PositiveInfinity], 2);
        var e = Assert.Throws<ArithmeticException>(() => GradientClipping.ClipGradNorm([p], 1.0, errorIfNonfinite: true));
        Assert.Contains("Infinity", e.Message);
    }

    [Fact]
    public void SkipsParametersWithoutGradientAndWorksOnFloat32()
    {
        var p = Tensor.Zeros(3); p.RequiresGrad = true; p.Grad = Tensor.From([3f, 4f, 0f], 3);
        var q = Tensor.Zeros(2); q.RequiresGrad = true;
        double total = GradientClipping.ClipGradNorm([p, q], 1.0);
        Assert.Equal(5.0, total, 6);
        Assert.Equal(0.6, p.Grad.Floats[0], 5);
        Assert.Equal(1.0, GradientClipping.TotalNorm([p, q]), 5);
    }
}
