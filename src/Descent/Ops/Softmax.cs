using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x) along <paramref name="axis"/> (subtracting the max keeps it finite).
    /// Backward: ∂L/∂x = y ⊙ (g − Σ g ⊙ y).
    /// </summary>
    public static Tensor Softmax(this Tensor x, int axis = -1)
    {
        var y = RowWise(x, axis, "softmax", log: false);
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new SoftmaxNode(x, y, axis, log: false)) : y;
    }

    /// <summary>
    /// log softmax(x)ᵢ = xᵢ − max x − log Σⱼ e^(xⱼ − max x) along <paramref name="axis"/>, computed without forming softmax.
    /// Backward: ∂L/∂x = g − softmax(x) · Σ g.
    /// </summary>
    public static Tensor LogSoftmax(this Tensor x, int axis = -1)
    {
        var y = RowWise(x, axis, "log_softmax", log: true);
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new SoftmaxNode(x, y, axis, log: true)) : y;
    }

    /// <summary>Moves <paramref name="axis"/> last (when it is not), runs the row kernel, and moves it back.</summary>
    private static Tensor RowWise(Tensor x, int axis, string name, bool log)
    {
        int ax = Shape.Axis(axis, x.Rank, name);
        if (ax != x.Rank - 1)
        {
            var moved = SwapAxisLast(x, ax);
            return SwapAxisLast(RowWise(moved, -1, name, log), ax);
        }
        int cols = x.Rank == 0 ? 1 : x.Shape[^1];
        int rows = cols == 0 ? 0 : x.Length / cols;
        var y = x.ZerosLike();
        Tape.Run(name, () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32)
            {
                if (log) k.LogSoftmax<float>(x.Floats, rows, cols, y.Floats); else k.Softmax<float>(x.Floats, rows, cols, y.Floats);
            }
            else
            {
                if (log) k.LogSoftmax<double>(x.Doubles, rows, cols, y.Doubles); else k.Softmax<double>(x.Doubles, rows, cols, y.Doubles);
            }
        });
        return y;
    }

    /// <summary>A copy of x with dimensions <paramref name="axis"/> and last swapped (its own inverse).</summary>
    private static Tensor SwapAxisLast(Tensor x, int axis)
    {
        var shape = x.ShapeArray;
        int last = shape.Length - 1;
        (shape[axis], shape[last]) = (shape[last], shape[axis]);
        var y = Tensor.Zeros(x.DType, shape);
        var (outer, n, inner) = Shape.Around(x.Shape, axis);
        // x viewed as [outer, n, mid, c] with c = last dim; y as [outer, c, mid, n].
        int c = x.Shape[last], mid = inner / Math.Max(c, 1);
        Tape.Run("swap axes", () =>
        {
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < n; i++)
                    for (int m = 0; m < mid; m++)
                        for (int j = 0; j < c; j++)
                            y[((o * c + j) * mid + m) * n + i] = x[((o * n + i) * mid + m) * c + j];
        });
        return y;
    }

    private sealed class SoftmaxNode(Tensor x, Tensor y, int axis, bool log) : Node(x)
    {
        public override string Name => log ? "log_softmax" : "softmax";

        protected internal override void Backward(Tensor g)
        {
            if (log)
            {
                var p = Exp(y);                                         // softmax(x)
                Accumulate(x, Sub(g, Mul(p, Sum(g, axis, keepDim: true))));
            }
            else
            {
                Accumulate(x, Mul(y, Sub(g, Sum(Mul(g, y), axis, keepDim: true))));
            }
        }
    }
}
