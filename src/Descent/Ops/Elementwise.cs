using System.Numerics;
using Descent.Kernels;

namespace Descent;

/// <summary>
/// Every differentiable op on tensors. One file per op (<c>Ops/Tanh.cs</c>, <c>Ops/MatMul.cs</c>, …)
/// holds its forward function, its operator struct or node, and its backward side by side.
/// The methods are extension methods: <c>x.Tanh()</c> and <c>Ops.Tanh(x)</c> are the same call.
/// </summary>
public static partial class Ops
{
    /// <summary>y = op(x) elementwise, recorded with a node whose backward is gx = gy · op′(x).</summary>
    internal static Tensor Unary<TOp>(Tensor x, TOp op, string name) where TOp : struct, IUnaryOperator
    {
        var y = x.ZerosLike();
        Tape.Run(name, () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) k.Unary(op, (ReadOnlySpan<float>)x.Floats, y.Floats);
            else k.Unary(op, (ReadOnlySpan<double>)x.Doubles, y.Doubles);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new UnaryNode<TOp>(x, y, op, name)) : y;
    }

    private sealed class UnaryNode<TOp>(Tensor x, Tensor y, TOp op, string name) : Node(x) where TOp : struct, IUnaryOperator
    {
        public override string Name => name;

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();
            Tape.Run(name + " backward", () =>
            {
                var k = KernelProvider.Current;
                if (x.DType == DType.Float32) k.UnaryBackward(op, x.Floats, y.Floats, gy.Floats, gx.Floats);
                else k.UnaryBackward(op, x.Doubles, y.Doubles, gy.Doubles, gx.Doubles);
            });
            AccumulateOwned(x, gx);
        }
    }

    /// <summary>y = op(a, b) elementwise with NumPy broadcasting (not recorded; callers record their own node).</summary>
    internal static Tensor BinaryForward<TOp>(Tensor a, Tensor b, TOp op, string name) where TOp : struct, IBinaryOperator
    {
        SameDType(a, b, name);
        var y = Tensor.Zeros(a.DType, Shape.Broadcast(a.Shape, b.Shape, name));
        Tape.Run(name, () =>
        {
            if (a.DType == DType.Float32) BinaryInto<TOp, float>(op, a, b, y);
            else BinaryInto<TOp, double>(op, a, b, y);
        });
        return y;
    }

    /// <summary>y = op(a, b) into an existing y whose shape is the broadcast of a's and b's.</summary>
    internal static void BinaryInto<TOp, T>(TOp op, Tensor a, Tensor b, Tensor y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = KernelProvider.Current;
        ReadOnlySpan<T> av = a.Span<T>(), bv = b.Span<T>();
        Span<T> yv = y.Span<T>();
        if (a.Length == y.Length && b.Length == y.Length) k.Binary(op, av, bv, yv);
        else if (b.Length == 1 && a.Length == y.Length) k.Binary(op, av, bv[0], yv);
        else if (a.Length == 1 && b.Length == y.Length) k.Binary(op, av[0], bv, yv);
        else if (a.Length == y.Length && IsTrailing(b.Shape, y.Shape))
        {
            int n = b.Length;
            for (int r = 0; r < y.Length / Math.Max(n, 1); r++) k.Binary(op, av.Slice(r * n, n), bv, yv.Slice(r * n, n));
        }
        else if (b.Length == y.Length && IsTrailing(a.Shape, y.Shape))
        {
            int n = a.Length;
            for (int r = 0; r < y.Length / Math.Max(n, 1); r++) k.Binary(op, av, bv.Slice(r * n, n), yv.Slice(r * n, n));
        }
        else
        {
            // General broadcasting: walk y's index with stride 0 on broadcast dimensions.
            Span<int> sa = stackalloc int[y.Rank], sb = stackalloc int[y.Rank], index = stackalloc int[y.Rank];
            Shape.BroadcastStrides(a.Shape, y.Shape, sa);
            Shape.BroadcastStrides(b.Shape, y.Shape, sb);
            int ia = 0, ib = 0;
            for (int i = 0; i < y.Length; i++)
            {
                yv[i] = op.Invoke(av[ia], bv[ib]);
                for (int d = y.Rank - 1; d >= 0; d--)
                {
                    index[d]++; ia += sa[d]; ib += sb[d];
                    if (index[d] < y.Shape[d]) break;
                    ia -= sa[d] * index[d]; ib -= sb[d] * index[d]; index[d] = 0;
                }
            }
        }
    }

    /// <summary>True when <paramref name="small"/>, without leading 1s, equals the trailing dimensions of <paramref name="big"/>.</summary>
    private static bool IsTrailing(ReadOnlySpan<int> small, ReadOnlySpan<int> big)
    {
        int lead = 0;
        while (lead < small.Length && small[lead] == 1) lead++;
        var s = small[lead..];
        return s.Length <= big.Length && s.SequenceEqual(big[(big.Length - s.Length)..]);
    }

    /// <summary>Sums <paramref name="g"/> (a broadcast result's gradient) down to <paramref name="shape"/>: the backward of broadcasting.</summary>
    internal static Tensor SumTo(Tensor g, ReadOnlySpan<int> shape)
    {
        if (Shape.Equal(g.Shape, shape)) return g;
        var target = shape.ToArray();
        var r = Tensor.Zeros(g.DType, target);
        Tape.Run("sum to broadcast shape", () =>
        {
            if (g.DType == DType.Float32) SumToInto<float>(g, r); else SumToInto<double>(g, r);
        });
        return r;
    }

    private static void SumToInto<T>(Tensor g, Tensor r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = KernelProvider.Current;
        ReadOnlySpan<T> gv = g.Span<T>();
        Span<T> rv = r.Span<T>();
        rv.Clear();   // the column and general sums add into it
        if (r.Length == 1) rv[0] = k.Sum(gv);
        else if (g.Length == r.Length) gv.CopyTo(rv);
        else if (IsTrailing(r.Shape, g.Shape)) k.AddColumnSums(gv, g.Length / r.Length, r.Length, rv);
        else
        {
            Span<int> sr = stackalloc int[g.Rank], index = stackalloc int[g.Rank];
            Shape.BroadcastStrides(r.Shape, g.Shape, sr);
            int ir = 0;
            for (int i = 0; i < g.Length; i++)
            {
                rv[ir] += gv[i];
                for (int d = g.Rank - 1; d >= 0; d--)
                {
                    index[d]++; ir += sr[d];
                    if (index[d] < g.Shape[d]) break;
                    ir -= sr[d] * index[d]; index[d] = 0;
                }
            }
        }
    }

    /// <summary>A copy of <paramref name="x"/> broadcast to <paramref name="shape"/> (not recorded).</summary>
    internal static Tensor BroadcastTo(Tensor x, int[] shape)
    {
        if (Shape.Equal(x.Shape, shape)) return x;
        var y = Tensor.Zeros(x.DType, shape);
        Tape.Run("broadcast", () =>
        {
            if (x.DType == DType.Float32) BinaryInto<SecondOp, float>(default, y, x, y);
            else BinaryInto<SecondOp, double>(default, y, x, y);
        });
        return y;
    }

    /// <summary>op(a, b) = b: copies b into a broadcast shape.</summary>
    private readonly struct SecondOp : IBinaryOperator
    {
        public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => b;
        public void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => b.CopyTo(y);
        public void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => y.Fill(b);
        public void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => b.CopyTo(y);
    }

    internal static void SameDType(Tensor a, Tensor b, string op)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtypes differ ({a.DType.Name()} {Shape.Format(a.Shape)} vs {b.DType.Name()} {Shape.Format(b.Shape)}); convert one with To().");
    }

    /// <summary>Converts a double to the element type (for op parameters such as a slope).</summary>
    internal static T Of<T>(double v) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(v);
}
