using System.Numerics;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>Exponential linear unit: y = x for x &gt; 0, else α(eˣ − 1); ∂y/∂x = 1, or y + α.</summary>
    public static Tensor Elu(this Tensor x, double alpha = 1.0) => Unary(x, new EluOp(alpha), "elu");

    /// <summary>ELU with parameter α.</summary>
    internal readonly struct EluOp(double alpha) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : Of<T>(alpha) * T.ExpM1(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : y + Of<T>(alpha);

        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < x.Length; i++) y[i] = Invoke(x[i]);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
