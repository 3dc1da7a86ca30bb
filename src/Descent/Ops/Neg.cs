using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = −x; ∂y/∂x = −1.</summary>
    public static Tensor Neg(this Tensor x) => Unary(x, new NegOp(), "neg");

    /// <summary>y = −x; ∂y/∂x = −1.</summary>
    internal readonly struct NegOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => -T.One;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            TensorPrimitives.Negate(gy, gx);
    }
}
