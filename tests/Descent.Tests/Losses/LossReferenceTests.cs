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

    /// <summary>
    /// Class weights, label smoothing 0.25 and an ignored row at once; numbers from PyTorch 1.13
    /// (<c>F.cross_entropy(z, t, weight=w, label_smoothing=0.25)</c>, z = torch.randn(5, 4, float64) after manual_seed(0)).
    /// </summary>
    [Fact]
    public void WeightedSmoothedCrossEntropyWithIgnoredRowMatchesPyTorch()
    {
        var z = Tensor.From([-2.310411800234176, -0.3732508612577643, -1.0608166785462863, 0.9995093547811761,
            -0.019964750907762653, 0.2102998901016947, 0.17718935139366584, -0.830510051008449,
            0.23871805816817063, 0.7335283685272841, -1.3218818291421377, 1.3148113651971234,
            -0.6870036940435463, 1.4880743158106724, -0.4484158047114511, -0.8910030351707375,
            0.6748575435940039, 1.0468653769814655, 0.15429517864658948, -0.7498915228391941], 5, 4);
        z.RequiresGrad = true;
        var loss = new CrossEntropyLoss(Tensor.From([0.5, 2.0, 1.0, 3.0], 4), 0.25).Forward(z, [2, 0, 3, -100, 1]);
        loss.Backward();
        Close([1.164273342141677], [loss.Item()], Tol, what: "loss");
        Close([-0.00022432712626470436, 0.01257330566877631, -0.10900895935392817, 0.09665998081141655, -0.03185027193954166,
            0.019355188886304435, 0.027713891163587304, -0.015218808110350096, 0.06585215960740069, 0.09666460717042755,
            0.0052238944918493145, -0.16774066126967757, 0, 0, 0, 0, 0.08445671322533829, -0.12050909492979897,
            0.043424302626831654, -0.007371920922371016], z.Grad!.ToArray(), Tol, floor: 1e-8, what: "grad");
    }
}
