using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = ln x (natural logarithm); ∂y/∂x = 1/x.</summary>
    public static Tensor Log(this Tensor x) => Unary(x, new LogOp(), "log");

    /// <summary>y = ln x (natural logarithm); ∂y/∂x = 1/x.</summary>
    internal readonly struct LogOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.One / x;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
