namespace Descent;

public static partial class Ops
{
    /// <summary>Joins tensors along <paramref name="axis"/>; the other dimensions must agree. Backward slices the gradient back apart.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int axis = 0)
    {
        if (xs.Count == 0) throw new ArgumentException("concat: needs at least one tensor.");
        var first = xs[0];
        int ax = Shape.Axis(axis, first.Rank, "concat");
        var shape = first.ShapeArray;
        int total = 0;
        foreach (var x in xs)
        {
            SameDType(first, x, "concat");
            bool ok = x.Rank == first.Rank;
            for (int d = 0; ok && d < x.Rank; d++) ok = d == ax || x.Shape[d] == first.Shape[d];
            if (!ok) throw new ShapeException($"concat: shapes {Shape.Format(first.Shape)} and {Shape.Format(x.Shape)} differ outside axis {ax}.");
            total += x.Shape[ax];
        }
        shape[ax] = total;
        var y = Tensor.Zeros(first.DType, shape);
        var (outer, _, inner) = Shape.Around(shape, ax);
        var parts = xs.ToArray();
        Tape.Run("concat", () =>
        {
            int offset = 0;
            foreach (var x in parts)
            {
                int block = x.Shape[ax] * inner;
                for (int o = 0; o < outer; o++) CopyRange(x, o * block, y, o * total * inner + offset, block);
                offset += block;
            }
        });
        return Autograd.ShouldRecord(xs.ToArray()) ? Autograd.Record(y, new ConcatNode(xs.ToArray(), ax, total * inner, outer, inner)) : y;
    }

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="source"/> from <paramref name="from"/> into <paramref name="destination"/> at <paramref name="to"/>.</summary>
    private static void CopyRange(Tensor source, int from, Tensor destination, int to, int count)
    {
        if (source.DType == DType.Float32) source.Floats.Slice(from, count).CopyTo(destination.Floats.Slice(to, count));
        else source.Doubles.Slice(from, count).CopyTo(destination.Doubles.Slice(to, count));
    }

    private sealed class ConcatNode(Tensor[] inputs, int ax, int rowSize, int outer, int inner) : Node(inputs)
    {
        public override string Name => "concat";

        protected internal override void Backward(Tensor gy)
        {
            var xs = Inputs;
            int offset = 0;
            for (int i = 0; i < xs.Count; i++)
            {
                int block = xs[i].Shape[ax] * inner;
                if (Needs(i))
                {
                    var gx = xs[i].ZerosLike();
                    int start = offset;
                    Tape.Run("concat backward", () =>
                    {
                        for (int o = 0; o < outer; o++) CopyRange(gy, o * rowSize + start, gx, o * block, block);
                    });
                    AccumulateOwned(xs[i], gx);
                }
                offset += block;
            }
        }
    }
}
