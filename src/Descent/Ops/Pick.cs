namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// One element per row: y[i] = x[i, index[i]] for x [n, c] → y [n] (PyTorch: <c>x.gather(1, index[:, None])[:, 0]</c>).
    /// With log-probabilities this is the core of the negative log-likelihood. Backward: gx[i, index[i]] += gy[i].
    /// </summary>
    public static Tensor Pick(this Tensor x, ReadOnlySpan<int> index)
    {
        if (x.Rank != 2 || x.Shape[0] != index.Length)
            throw new ShapeException($"pick: needs x [n, c] and n indices; got x {Shape.Format(x.Shape)} and {index.Length} indices.");
        int n = x.Shape[0], c = x.Shape[1];
        var y = Tensor.Zeros(x.DType, n);
        var src = new int[n];
        for (int i = 0; i < n; i++)
        {
            if ((uint)index[i] >= (uint)c)
                throw new IndexOutOfRangeException($"pick: index {index[i]} in row {i} is outside [0, {c}).");
            src[i] = i * c + index[i];
            y[i] = x[src[i]];
        }
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new ScatterNode(x, src, "pick")) : y;
    }
}
