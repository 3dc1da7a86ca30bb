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

    /// <summary>The rows named by <paramref name="indices"/>, in that order, copied (<c>index_select(0, indices)</c>): how a mini-batch is gathered.
    /// Backward scatters the gradient back, adding where an index repeats.</summary>
    public static Tensor Gather(this Tensor x, ReadOnlySpan<int> indices)
    {
        if (x.Rank == 0) throw new ShapeException("gather: a scalar has no rows.");
        int rows = x.Shape[0], rowSize = rows == 0 ? 0 : x.Length / rows;
        var s = x.ShapeArray; s[0] = indices.Length;
        var y = Tensor.Zeros(x.DType, s);
        var idx = indices.ToArray();
        for (int i = 0; i < idx.Length; i++)
        {
            if ((uint)idx[i] >= (uint)rows)
                throw new IndexOutOfRangeException($"gather: index {idx[i]} at position {i} is outside the {rows} rows of {Shape.Format(x.Shape)}.");
            y.ViewRange(i * rowSize, [rowSize]).CopyFrom(x.ViewRange(idx[i] * rowSize, [rowSize]));
        }
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new GatherNode(x, idx, rowSize)) : y;
    }

    private sealed class RowsNode(Tensor x, int offset) : Node(x)
    {
        public override string Name => "rows";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            gx.ViewRange(offset, gy.ShapeArray).CopyFrom(gy);
            Accumulate(x, gx);
        }
    }

    private sealed class GatherNode(Tensor x, int[] idx, int rowSize) : Node(x)
    {
        public override string Name => "gather";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            for (int i = 0; i < idx.Length; i++)
                AddInPlace(gx.ViewRange(idx[i] * rowSize, [rowSize]), gy.ViewRange(i * rowSize, [rowSize]));
            Accumulate(x, gx);
        }
    }
}
