using Descent.Losses;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Losses;

/// <summary>../shared/reference/pytorch/losses.json: values and gradients, float64, 1e-10 relative.</summary>
public class LossReferenceTests
{
    private const double Tol = 1e-10;

    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void CrossEntropyMatchesPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        var d = Reference("losses.json");
        var z = Tensor64(d.GetProperty("logits"));
        z.RequiresGrad = true;
        var t = d.GetProperty("targets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var loss = new CrossEntropyLoss().Forward(z, t);
        loss.Backward();
        Close([d.GetProperty("cross_entropy").GetDouble()], [loss.Item()], Tol, what: "cross_entropy");
        Close(Flat(d.GetProperty("grad_logits")), z.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_logits");
        Close(Flat(d.GetProperty("softmax")), z.Softmax(1).ToArray(), Tol, what: "softmax");

        var z2 = Tensor64(d.GetProperty("logits")); z2.RequiresGrad = true;
        var nll = new NllLoss().Forward(z2.LogSoftmax(1), t);
        nll.Backward();
        Close([d.GetProperty("cross_entropy").GetDouble()], [nll.Item()], Tol, what: "nll(log_softmax)");
        Close(Flat(d.GetProperty("grad_logits")), z2.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad nll(log_softmax)");
    }

    [Fact]
    public void MseHalfSseAndBceMatchPyTorch()
    {
        var d = Reference("losses.json");
        var target = Tensor64(d.GetProperty("target"));
        var p1 = Tensor64(d.GetProperty("pred")); p1.RequiresGrad = true;
        var mse = new MseLoss().Forward(p1, target); mse.Backward();
        Close([d.GetProperty("mse").GetDouble()], [mse.Item()], Tol, what: "mse");
        Close(Flat(d.GetProperty("grad_mse")), p1.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_mse");

        var p2 = Tensor64(d.GetProperty("pred")); p2.RequiresGrad = true;
        var sse = new HalfSumSquaredError().Forward(p2, target); sse.Backward();
        Close([d.GetProperty("half_sse").GetDouble()], [sse.Item()], Tol, what: "half_sse");
        Close(Flat(d.GetProperty("grad_half_sse")), p2.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_half_sse");

        var x = Tensor64(d.GetProperty("bce_logits")); x.RequiresGrad = true;
        var bce = new BceWithLogitsLoss().Forward(x, Tensor64(d.GetProperty("bce_targets"))); bce.Backward();
        Close([d.GetProperty("bce").GetDouble()], [bce.Item()], Tol, what: "bce");
        Close(Flat(d.GetProperty("grad_bce")), x.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad_bce");
    }
}
