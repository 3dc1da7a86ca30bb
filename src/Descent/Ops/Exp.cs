using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = eˣ; ∂y/∂x = eˣ = y.</summary>
    public static Tensor Exp(this Tensor x) => Unary(x, new ExpOp(), "exp");

    /// <summary>y = eˣ; ∂y/∂x = eˣ = y.</summary>
    internal readonly struct ExpOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => y;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            TensorPrimitives.Multiply(gy, y, gx);
    }
}
