using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>Σ of all elements, a scalar (shape []). ∂/∂x = 1 everywhere.</summary>
    public static Tensor Sum(this Tensor x)
    {
        var y = Tensor.Zeros(x.DType);
        Tape.Run("sum", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) y.Floats[0] = k.Sum<float>(x.Floats); else y.Doubles[0] = k.Sum<double>(x.Doubles);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new SumNode(x, y.ShapeArray)) : y;
    }

    /// <summary>Σ over <paramref name="axis"/>; that dimension is dropped, or kept as 1 with <paramref name="keepDim"/>.</summary>
    public static Tensor Sum(this Tensor x, int axis, bool keepDim = false)
    {
        int ax = Shape.Axis(axis, x.Rank, "sum");
        var (outer, n, inner) = Shape.Around(x.Shape, ax);
        var kept = x.ShapeArray; kept[ax] = 1;
        var y = Tensor.Zeros(x.DType, keepDim ? kept : Dropped(x.Shape, ax));
        Tape.Run("sum", () =>
        {
            var k = KernelProvider.Current;
            y.Fill(0);   // the column sums add into it
            for (int o = 0; o < outer; o++)
            {
                if (x.DType == DType.Float32) SumBlock<float>(k, x.Floats.Slice(o * n * inner, n * inner), n, inner, y.Floats.Slice(o * inner, inner));
                else SumBlock<double>(k, x.Doubles.Slice(o * n * inner, n * inner), n, inner, y.Doubles.Slice(o * inner, inner));
            }
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new SumNode(x, kept)) : y;
    }

    private static void SumBlock<T>(IKernels k, ReadOnlySpan<T> x, int n, int inner, Span<T> y)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (inner == 1) y[0] = k.Sum(x);
        else k.AddColumnSums(x, n, inner, y);
    }

    /// <summary>Mean of all elements: Σx / n.</summary>
    public static Tensor Mean(this Tensor x) => x.Sum().Div(x.Length);

    /// <summary>Mean over <paramref name="axis"/>.</summary>
    public static Tensor Mean(this Tensor x, int axis, bool keepDim = false) =>
        x.Sum(axis, keepDim).Div(x.Size(axis));

    /// <summary>
    /// Variance over <paramref name="axis"/>: Σ(x − x̄)² / (n − correction). correction = 1 (default) is the unbiased
    /// estimate, as <c>torch.var</c>; 0 is the biased (population) variance batch norm uses.
    /// </summary>
    public static Tensor Var(this Tensor x, int axis, int correction = 1, bool keepDim = false)
    {
        int n = x.Size(axis);
        var d = x.Sub(x.Mean(axis, keepDim: true));
        return d.Mul(d).Sum(axis, keepDim).Div(Math.Max(n - correction, 0));
    }

    /// <summary>Variance of all elements (correction as in <see cref="Var(Tensor, int, int, bool)"/>).</summary>
    public static Tensor Var(this Tensor x, int correction = 1)
    {
        var d = x.Sub(x.Mean());
        return d.Mul(d).Sum().Div(Math.Max(x.Length - correction, 0));
    }

    internal static int[] Dropped(ReadOnlySpan<int> shape, int axis)
    {
        var r = new int[shape.Length - 1];
        for (int i = 0, j = 0; i < shape.Length; i++) if (i != axis) r[j++] = shape[i];
        return r;
    }

    private sealed class SumNode(Tensor x, int[] keptShape) : Node(x)
    {
        public override string Name => "sum";

        protected internal override void Backward(Tensor gy) =>
            Accumulate(x, BroadcastTo(gy.ViewAs(keptShape), x.ShapeArray));
    }
}
