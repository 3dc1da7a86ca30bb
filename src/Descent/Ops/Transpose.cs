namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// The transpose of a 2-D tensor, [m, n] → [n, m], as a copy (every tensor here is contiguous).
    /// To multiply by a transpose, pass the flag to <see cref="MatMul"/> instead: it reads in place.
    /// </summary>
    public static Tensor Transpose(this Tensor x)
    {
        if (x.Rank != 2) throw new ShapeException($"transpose: needs a 2-D tensor, got {Shape.Format(x.Shape)}.");
        int m = x.Shape[0], n = x.Shape[1];
        var y = Tensor.Zeros(x.DType, n, m);
        Tape.Run("transpose", () =>
        {
            if (x.DType == DType.Float32) TransposeInto<float>(x.Floats, m, n, y.Floats);
            else TransposeInto<double>(x.Doubles, m, n, y.Doubles);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new TransposeNode(x)) : y;
    }

    private static void TransposeInto<T>(ReadOnlySpan<T> x, int m, int n, Span<T> y)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                y[j * m + i] = x[i * n + j];
    }

    private sealed class TransposeNode(Tensor x) : Node(x)
    {
        public override string Name => "transpose";

        protected internal override void Backward(Tensor gy)
        {
            using var _ = Autograd.NoGrad();
            AccumulateOwned(x, Transpose(gy));
        }
    }
}
