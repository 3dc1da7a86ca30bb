namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// One element per row: y[i] = x[i, index[i]] for x [n, c] → y [n]: PyTorch's <c>x.gather(1, index[:, None])[:, 0]</c>.
    /// With log-probabilities this is the core of the negative log-likelihood. Backward: gx[i, index[i]] += gy[i].
    /// </summary>
    public static Tensor Gather(this Tensor x, ReadOnlySpan<int> index) => Gather(x, index.ToArray());

    /// <summary>
    /// As <see cref="Gather(Tensor, ReadOnlySpan{int})"/>, reading <paramref name="index"/> when the op runs — and again
    /// each time a captured step replays it, so a step's labels array can be refilled between steps without a copy here.
    /// </summary>
    public static Tensor Gather(this Tensor x, int[] index)
    {
        if (x.Rank != 2 || x.Shape[0] != index.Length)
            throw new ShapeException($"gather: needs x [n, c] and n indices; got x {Shape.Format(x.Shape)} and {index.Length} indices.");
        int n = x.Shape[0], c = x.Shape[1];
        var y = Tensor.Zeros(x.DType, n);                                    // [n]
        var src = new int[n];                                                // flat index into x of each y[i]
        Tape.Run("gather", () =>
        {
            for (int i = 0; i < n; i++)
            {
                if ((uint)index[i] >= (uint)c)
                    throw new IndexOutOfRangeException($"gather: index {index[i]} in row {i} is outside [0, {c}).");
                src[i] = i * c + index[i];
                y[i] = x[src[i]];
            }
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new ScatterNode(x, src, "gather")) : y;
    }

    /// <summary>The backward of ops that pick elements (gather, max, min): gx[src[i]] += gy[i], zeros elsewhere.</summary>
    private sealed class ScatterNode(Tensor x, int[] src, string name) : Node(x)
    {
        public override string Name => name;

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            Tape.Run(name + " backward", () =>
            {
                gx.Fill(0);
                for (int i = 0; i < src.Length; i++) gx[src[i]] += gy[i];
            });
            AccumulateOwned(x, gx);
        }
    }
}
