using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = xᵖ for a constant exponent p; ∂y/∂x = p·xᵖ⁻¹.</summary>
    public static Tensor Pow(this Tensor x, double p) => Unary(x, new PowOp(p), "pow");

    /// <summary>y = x² (as <c>Pow(x, 2)</c>).</summary>
    public static Tensor Square(this Tensor x) => Unary(x, new PowOp(2), "pow");

    /// <summary>Power with a constant exponent.</summary>
    internal readonly struct PowOp(double p) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => p == 2 ? x * x : T.Pow(x, Of<T>(p));
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> =>
            p == 0 ? T.Zero : p == 2 ? (x + x) : Of<T>(p) * T.Pow(x, Of<T>(p - 1));

        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (p == 2) TensorPrimitives.Multiply(x, x, y);
            else TensorPrimitives.Pow(x, Of<T>(p), y);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
