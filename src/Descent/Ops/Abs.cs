using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = |x|; ∂y/∂x = sign(x), taken as 0 at x = 0 (as PyTorch).</summary>
    public static Tensor Abs(this Tensor x) => Unary(x, new AbsOp(), "abs");

    /// <summary>y = |x|; ∂y/∂x = sign(x), taken as 0 at x = 0 (as PyTorch).</summary>
    internal readonly struct AbsOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
