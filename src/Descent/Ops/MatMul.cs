using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Matrix product of 2-D tensors, C = op(A)·op(B), where op(X) is X or, with the flag, Xᵀ read in place (no copy).
    /// Shapes: op(A) [m, k], op(B) [k, n] → C [m, n].
    /// Backward (for C = A·B): ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C; the transposed cases swap roles accordingly.
    /// </summary>
    public static Tensor MatMul(this Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        SameDType(a, b, "matmul");
        if (a.Rank != 2 || b.Rank != 2)
            throw new ShapeException($"matmul: needs 2-D tensors, got {Shape.Format(a.Shape)} and {Shape.Format(b.Shape)}.");
        int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0], n = transposeB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ShapeException($"matmul: inner dimensions differ: {Shape.Format(a.Shape)}{(transposeA ? "ᵀ" : "")} · {Shape.Format(b.Shape)}{(transposeB ? "ᵀ" : "")} ({k} vs {kb}).");
        var c = Tensor.Zeros(a.DType, m, n);                                  // [m, n]
        Tape.Run("matmul", () => GemmInto(a, transposeA, b, transposeB, c, beta: 0));
        return Autograd.ShouldRecord(a, b) ? Autograd.Record(c, new MatMulNode(a, b, transposeA, transposeB)) : c;
    }

    /// <summary>c ← act(op(a)·op(b) + β·c + bias) on 2-D tensors (bias [n] added to every row), outside the graph.</summary>
    internal static void GemmInto(Tensor a, bool ta, Tensor b, bool tb, Tensor c, double beta, Tensor? bias = null, GemmActivation activation = GemmActivation.None)
    {
        int m = c.Shape[0], n = c.Shape[1], k = ta ? a.Shape[0] : a.Shape[1];
        var kern = KernelProvider.Current;
        if (a.DType == DType.Float32)
            kern.Gemm(ta, tb, m, n, k, 1f, a.Floats, a.Shape[1], b.Floats, b.Shape[1], (float)beta, c.Floats, n, bias is null ? default : bias.Floats, activation);
        else
            kern.Gemm(ta, tb, m, n, k, 1.0, a.Doubles, a.Shape[1], b.Doubles, b.Shape[1], beta, c.Doubles, n, bias is null ? default : bias.Doubles, activation);
    }

    private sealed class MatMulNode(Tensor a, Tensor b, bool ta, bool tb) : Node(a, b)
    {
        public override string Name => "matmul";

        protected internal override void Backward(Tensor gc)
        {
            // C = op(A)·op(B).  ∂L/∂op(A) = G·op(B)ᵀ ; ∂L/∂op(B) = op(A)ᵀ·G.
            if (Needs(0))
            {
                var ga = a.ZerosLike();
                Tape.Run("matmul backward: ∂L/∂A", () =>
                {
                    if (!ta) GemmInto(gc, false, b, !tb, ga, 0);   // A = G·op(B)ᵀ
                    else GemmInto(b, tb, gc, true, ga, 0);          // Aᵀ's grad is G·op(B)ᵀ, so A's is op(B)·Gᵀ
                });
                AccumulateOwned(a, ga);
            }
            if (Needs(1))
            {
                var gb = b.ZerosLike();
                Tape.Run("matmul backward: ∂L/∂B", () =>
                {
                    if (!tb) GemmInto(a, !ta, gc, false, gb, 0);    // B = op(A)ᵀ·G
                    else GemmInto(gc, true, a, ta, gb, 0);          // Bᵀ's grad is op(A)ᵀ·G, so B's is Gᵀ·op(A)
                });
                AccumulateOwned(b, gb);
            }
        }
    }
}
