using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Affine map with PyTorch's weight layout: y = x·Wᵀ + b, fused (one GEMM whose epilogue adds the bias).
    /// Shapes: x [batch, in], W [out, in], b [out] (optional) → y [batch, out].
    /// Backward: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_batch G.
    /// </summary>
    public static Tensor Linear(this Tensor x, Tensor weight, Tensor? bias = null)
    {
        SameDType(x, weight, "linear");
        if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1])
            throw new ShapeException($"linear: input {Shape.Format(x.Shape)} does not fit weight {Shape.Format(weight.Shape)} (expected input [batch, {(weight.Rank == 2 ? weight.Shape[1] : -1)}]).");
        int outF = weight.Shape[0];
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ShapeException($"linear: bias {Shape.Format(bias.Shape)} does not fit weight {Shape.Format(weight.Shape)} (expected [{outF}]).");
        var y = Tensor.Zeros(x.DType, x.Shape[0], outF);
        GemmInto(x, false, weight, true, y, beta: 0, bias);   // y = x·Wᵀ + b in one pass (bias fused into the GEMM's store)
        bool record = bias is null ? Autograd.ShouldRecord(x, weight) : Autograd.ShouldRecord([x, weight, bias]);
        return record ? Autograd.Record(y, bias is null ? new LinearNode(x, weight, null) : new LinearNode(x, weight, bias)) : y;
    }

    private sealed class LinearNode : Node
    {
        private readonly Tensor _x, _w;
        private readonly Tensor? _b;

        public LinearNode(Tensor x, Tensor w, Tensor? b) : base(b is null ? [x, w] : [x, w, b]) => (_x, _w, _b) = (x, w, b);

        public override string Name => "linear";

        protected internal override void Backward(Tensor gy)
        {
            if (Needs(0)) { var gx = _x.ZerosLike(); GemmInto(gy, false, _w, false, gx, 0); Accumulate(_x, gx); }
            if (Needs(1)) { var gw = _w.ZerosLike(); GemmInto(gy, true, _x, false, gw, 0); Accumulate(_w, gw); }
            if (_b is not null && Needs(2)) Accumulate(_b, SumTo(gy, _b.Shape));
        }
    }
}
