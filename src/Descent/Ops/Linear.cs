using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Affine map with PyTorch's weight layout: y = x·Wᵀ + b, fused (one GEMM whose epilogue adds the bias).
    /// Shapes: x [batch, in], W [out, in], b [out] (optional) → y [batch, out].
    /// Backward: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_batch G.
    /// </summary>
    public static Tensor Linear(this Tensor x, Tensor weight, Tensor? bias = null) => Linear(x, weight, bias, GemmActivation.None);

    /// <summary>
    /// A linear layer and the activation after it in one op: y = act(x·Wᵀ + b), with act = ReLU applied in the GEMM's
    /// epilogue (the store of each tile), so the pre-activation is never written. <see cref="Nn.Sequential"/> uses it for a
    /// Linear followed by a ReLU. Backward, with the ReLU: G ← ∂L/∂y ⊙ [y &gt; 0] (y &gt; 0 exactly where the pre-activation
    /// is), summed over the batch into ∂L/∂b in the same sweep; then ∂L/∂W = Gᵀ·x and ∂L/∂x = G·W.
    /// </summary>
    internal static Tensor Linear(this Tensor x, Tensor weight, Tensor? bias, GemmActivation activation)
    {
        CheckLinear(x, weight, bias);
        var y = Tensor.Zeros(x.DType, x.Shape[0], weight.Shape[0]);         // [batch, out]
        bool relu = activation == GemmActivation.Relu;
        Tape.Run(relu ? "linear+relu" : "linear", () => GemmInto(x, false, weight, true, y, beta: 0, bias, activation));
        bool record = bias is null ? Autograd.ShouldRecord(x, weight) : Autograd.ShouldRecord([x, weight, bias]);
        return record ? Autograd.Record(y, new LinearNode(x, weight, bias, y, relu)) : y;
    }

    /// <summary>The checks of a linear layer's arguments: x [batch, in], W [out, in], b [out] or null, one dtype.</summary>
    private static void CheckLinear(Tensor x, Tensor weight, Tensor? bias)
    {
        SameDType(x, weight, "linear");
        if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw new ShapeException($"linear: input {Shape.Format(x.Shape)} does not fit weight {Shape.Format(weight.Shape)} (expected input [batch, {(weight.Rank == 2 ? weight.Shape[1] : -1)}]).");
        int outF = weight.Shape[0];
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ShapeException($"linear: bias {Shape.Format(bias.Shape)} does not fit weight {Shape.Format(weight.Shape)} (expected [{outF}]).");
        if (bias is not null) SameDType(x, bias, "linear");
    }

    private sealed class LinearNode : Node
    {
        private readonly Tensor _x, _w, _y;
        private readonly Tensor? _b;
        private readonly bool _relu;

        public LinearNode(Tensor x, Tensor w, Tensor? b, Tensor y, bool relu) : base(b is null ? [x, w] : [x, w, b]) =>
            (_x, _w, _b, _y, _relu) = (x, w, b, y, relu);

        public override string Name => _relu ? "linear+relu" : "linear";

        protected internal override void Backward(Tensor gy)
        {
            int rows = gy.Shape[0], cols = gy.Shape[1];
            var g = gy;                                                      // [batch, out] ∂L/∂(x·Wᵀ + b)
            if (_relu && !OwnsGradOutput)
            {
                g = gy.ZerosLike();                                          // gy is read elsewhere too: mask a copy
                Tape.Run("linear+relu backward: copy", () => g.CopyFrom(gy));
            }
            var gb = _b is not null && Needs(2) ? _b.ZerosLike() : null;     // [out]
            if (_relu || gb is not null)
            {
                var y = _relu ? _y : null;
                Tape.Run(_relu ? "linear+relu backward: ReLU mask, ∂L/∂b" : "linear backward: ∂L/∂b", () =>
                {
                    var k = KernelProvider.Current;
                    if (g.DType == DType.Float32) k.ReluMaskColumnSums(g.Floats, y is null ? default : y.Floats, rows, cols, gb is null ? default : gb.Floats);
                    else k.ReluMaskColumnSums(g.Doubles, y is null ? default : y.Doubles, rows, cols, gb is null ? default : gb.Doubles);
                });
            }
            if (Needs(1))
            {
                var gw = _w.ZerosLike();                                     // [out, in]
                Tape.Run("linear backward: ∂L/∂W", () => GemmInto(g, true, _x, false, gw, 0));
                AccumulateOwned(_w, gw);
            }
            if (gb is not null) AccumulateOwned(_b!, gb);
            if (Needs(0))
            {
                var gx = _x.ZerosLike();                                     // [batch, in]
                Tape.Run("linear backward: ∂L/∂x", () => GemmInto(g, false, _w, false, gx, 0));
                AccumulateOwned(_x, gx);
            }
        }
    }
}
