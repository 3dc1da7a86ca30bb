using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>Largest element over <paramref name="axis"/>; the gradient flows to the arg-max (the first on ties), as <c>torch.max(x, dim)</c>.</summary>
    public static Tensor Max(this Tensor x, int axis, bool keepDim = false) => Extreme(x, axis, keepDim, max: true);

    /// <summary>Smallest element over <paramref name="axis"/>; the gradient flows to the arg-min.</summary>
    public static Tensor Min(this Tensor x, int axis, bool keepDim = false) => Extreme(x, axis, keepDim, max: false);

    /// <summary>Largest element of the whole tensor (scalar).</summary>
    public static Tensor Max(this Tensor x) => x.Reshape(-1).Max(0);

    /// <summary>Smallest element of the whole tensor (scalar).</summary>
    public static Tensor Min(this Tensor x) => x.Reshape(-1).Min(0);

    /// <summary>Index of the largest element along <paramref name="axis"/> for each position of the other dimensions (row-major order).</summary>
    public static int[] ArgMax(this Tensor x, int axis = -1) => ArgExtreme(x, Shape.Axis(axis, x.Rank, "argmax"), max: true);

    /// <summary>Index of the smallest element along <paramref name="axis"/>.</summary>
    public static int[] ArgMin(this Tensor x, int axis = -1) => ArgExtreme(x, Shape.Axis(axis, x.Rank, "argmin"), max: false);

    private static int[] ArgExtreme(Tensor x, int ax, bool max)
    {
        var (outer, n, inner) = Shape.Around(x.Shape, ax);
        if (n == 0) throw new ShapeException($"{(max ? "argmax" : "argmin")}: axis {ax} of shape {Shape.Format(x.Shape)} is empty.");
        var idx = new int[outer * inner];
        var k = KernelProvider.Current;
        var v = x.ToArray();
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                var row = new ReadOnlySpan<double>(v, o * n, n);
                idx[o] = max ? k.ArgMax(row) : k.ArgMin(row);
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                for (int j = 1; j < n; j++)
                {
                    double c = v[(o * n + j) * inner + i], b = v[(o * n + best) * inner + i];
                    if (double.IsNaN(b)) break;
                    if (double.IsNaN(c) || (max ? c > b : c < b)) best = j;
                }
                idx[o * inner + i] = best;
            }
        }
        return idx;
    }

    private static Tensor Extreme(Tensor x, int axis, bool keepDim, bool max)
    {
        int ax = Shape.Axis(axis, x.Rank, max ? "max" : "min");
        var (outer, n, inner) = Shape.Around(x.Shape, ax);
        var idx = ArgExtreme(x, ax, max);   // checks the axis
        var kept = x.ShapeArray; kept[ax] = 1;
        var y = Tensor.Zeros(x.DType, keepDim ? kept : Dropped(x.Shape, ax));
        var src = new int[idx.Length]; // flat source index of each output element
        Tape.Run(max ? "max" : "min", () =>
        {
            var at = ArgExtreme(x, ax, max);   // again on replay: the arg max of the new values
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    src[o * inner + i] = (o * n + at[o * inner + i]) * inner + i;
                    y[o * inner + i] = x[src[o * inner + i]];
                }
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new ScatterNode(x, src, max ? "max" : "min")) : y;
    }

    // Backward of ops that pick single elements: gx[src[i]] += gy[i].
}
