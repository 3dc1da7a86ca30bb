namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Elements <paramref name="start"/> … start + length − 1 along <paramref name="dim"/> (negative counts from the end), copied:
    /// PyTorch's <c>x.narrow(dim, start, length)</c> or <c>x[:, start:start+length]</c>. Shapes: x [… n …] → y [… length …].
    /// Along the first dimension <see cref="Rows"/> gives the same values as a view. Backward puts the gradient back in place:
    /// gx = 0 except gx[…, start + i, …] = gy[…, i, …].
    /// </summary>
    public static Tensor Slice(this Tensor x, int dim, int start, int length)
    {
        if (x.Rank == 0) throw new ShapeException("slice: a scalar has no dimension to slice.");
        int a = Shape.Axis(dim, x.Rank, "slice");
        int n = x.Shape[a];
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice: [{start}, {start + length}) is outside 0..{n} along dimension {a} of {x.Shape}.");
        var (outer, _, inner) = Shape.Around(x.Shape, a);
        var s = x.ShapeArray; s[a] = length;
        var y = Tensor.Zeros(x.DType, s);                              // [… length …]
        Tape.Run("slice", () =>
        {
            for (int o = 0; o < outer; o++) CopyRange(x, (o * n + start) * inner, y, o * length * inner, length * inner);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new SliceNode(x, outer, n, inner, start, length)) : y;
    }

    /// <summary>
    /// The sub-tensor at <paramref name="index"/> along <paramref name="dim"/>, that dimension removed (copied): PyTorch's
    /// <c>x.select(dim, index)</c>, e.g. <c>x.Select(1, 0)</c> is <c>x[:, 0]</c>. Shapes: x [… n …] → y [… …].
    /// </summary>
    public static Tensor Select(this Tensor x, int dim, int index)
    {
        if (x.Rank == 0) throw new ShapeException("select: a scalar has no dimension to select from.");
        int a = Shape.Axis(dim, x.Rank, "select");
        int i = index < 0 ? index + x.Shape[a] : index;
        if ((uint)i >= (uint)x.Shape[a])
            throw new IndexOutOfRangeException($"select: index {index} is outside 0..{x.Shape[a] - 1} along dimension {a} of {x.Shape}.");
        var s = x.ShapeArray.ToList(); s.RemoveAt(a);
        return x.Slice(a, i, 1).Reshape([.. s]);
    }

    private sealed class SliceNode(Tensor x, int outer, int n, int inner, int start, int length) : Node(x)
    {
        public override string Name => "slice";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            Tape.Run("slice backward", () =>
            {
                gx.Fill(0);
                for (int o = 0; o < outer; o++) CopyRange(gy, o * length * inner, gx, (o * n + start) * inner, length * inner);
            });
            AccumulateOwned(x, gx);
        }
    }
}
