using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = √x; ∂y/∂x = 1/(2√x) = 1/(2y).</summary>
    public static Tensor Sqrt(this Tensor x) => Unary(x, new SqrtOp(), "sqrt");

    /// <summary>y = √x; ∂y/∂x = 1/(2√x) = 1/(2y).</summary>
    internal readonly struct SqrtOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (y + y);
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
