using static Descent.Tests.TestSupport;

namespace Descent.Tests.Autograd;

/// <summary>../shared/reference/pytorch/mlp.json: a 4-layer MLP built from raw ops, float64, 1e-10 relative.</summary>
public class MlpReferenceTests
{
    [Theory]
    [MemberData(nameof(KernelNames), MemberType = typeof(TestSupport))]
    public void LogitsLossAndEveryGradientMatchPyTorch(string kernels)
    {
        using var _ = Use(kernels);
        var d = Reference("mlp.json");
        var x = Tensor64(d.GetProperty("x"));
        var targets = d.GetProperty("targets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var ws = d.GetProperty("weights").EnumerateArray().Select(Tensor64).ToArray();
        var bs = d.GetProperty("biases").EnumerateArray().Select(Tensor64).ToArray();
        foreach (var p in ws.Concat(bs)) p.RequiresGrad = true;

        var h = x.Linear(ws[0], bs[0]).Tanh();
        h = h.Linear(ws[1], bs[1]).Relu();
        h = h.Linear(ws[2], bs[2]).Sigmoid();
        var logits = h.Linear(ws[3], bs[3]);
        var loss = logits.LogSoftmax(1).Gather(targets).Mean().Neg();
        loss.Backward();

        const double tol = 1e-10;
        Close(Flat(d.GetProperty("logits")), logits.ToArray(), tol, what: "logits");
        Close([d.GetProperty("loss").GetDouble()], [loss.Item()], tol, what: "loss");
        var gw = d.GetProperty("grad_weights").EnumerateArray().ToArray();
        var gb = d.GetProperty("grad_biases").EnumerateArray().ToArray();
        for (int l = 0; l < 4; l++)
        {
            Close(Flat(gw[l]), ws[l].Grad!.ToArray(), tol, floor: 1e-8, what: $"grad W{l}");
            Close(Flat(gb[l]), bs[l].Grad!.ToArray(), tol, floor: 1e-8, what: $"grad b{l}");
        }
    }
}
