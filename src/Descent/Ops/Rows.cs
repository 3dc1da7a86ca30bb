namespace Descent;

public static partial class Ops
{
    /// <summary>Rows <paramref name="start"/> … start + count − 1 along the first axis: a view sharing storage (<c>x[start:start+count]</c>).</summary>
    public static Tensor Rows(this Tensor x, int start, int count)
    {
        if (x.Rank == 0) throw new ShapeException("rows: a scalar has no rows.");
        if (start < 0 || count < 0 || start + count > x.Shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"rows: [{start}, {start + count}) is outside the {x.Shape[0]} rows of {Shape.Format(x.Shape)}.");
        var s = x.ShapeArray; s[0] = count;
        int rowSize = x.Shape[0] == 0 ? 0 : x.Length / x.Shape[0];
        var y = x.ViewRange(start * rowSize, s);
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new RowsNode(x, start * rowSize)) : y;
    }

    /// <summary>
    /// The rows named by <paramref name="indices"/>, in that order, copied: PyTorch's <c>x.index_select(0, indices)</c>
    /// (how a mini-batch is gathered). Shapes: x [n, …], indices [m] → y [m, …].
    /// Backward scatters the gradient back, adding where an index repeats: gx[indices[i]] += gy[i].
    /// </summary>
    public static Tensor IndexSelect(this Tensor x, ReadOnlySpan<int> indices)
    {
        if (x.Rank == 0) throw new ShapeException("index_select: a scalar has no rows.");
        int rows = x.Shape[0], rowSize = rows == 0 ? 0 : x.Length / rows;
        var s = x.ShapeArray; s[0] = indices.Length;
        var y = Tensor.Zeros(x.DType, s);
        var idx = indices.ToArray();
        for (int i = 0; i < idx.Length; i++)
            if ((uint)idx[i] >= (uint)rows)
                throw new IndexOutOfRangeException($"index_select: index {idx[i]} at position {i} is outside the {rows} rows of {Shape.Format(x.Shape)}.");
        Tape.Run("index_select", () =>
        {
            for (int i = 0; i < idx.Length; i++) CopyRange(x, idx[i] * rowSize, y, i * rowSize, rowSize);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new IndexSelectNode(x, idx, rowSize)) : y;
    }

    private sealed class RowsNode(Tensor x, int offset) : Node(x)
    {
        public override string Name => "rows";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            Tape.Run("rows backward", () =>
            {
                gx.Fill(0);
                CopyRange(gy, 0, gx, offset, gy.Length);
            });
            AccumulateOwned(x, gx);
        }
    }

    private sealed class IndexSelectNode(Tensor x, int[] idx, int rowSize) : Node(x)
    {
        public override string Name => "index_select";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            Tape.Run("index_select backward", () =>
            {
                gx.Fill(0);
                for (int i = 0; i < idx.Length; i++)
                    AddInPlace(gx.ViewRange(idx[i] * rowSize, [rowSize]), gy.ViewRange(i * rowSize, [rowSize]));
            });
            AccumulateOwned(x, gx);
        }
    }
}
