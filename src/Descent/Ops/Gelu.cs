using System.Numerics;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Gaussian error linear unit (Hendrycks and Gimpel 2016), exact form as PyTorch's default:
    /// y = x·Φ(x) = ½x(1 + erf(x/√2)); ∂y/∂x = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
    /// </summary>
    public static Tensor Gelu(this Tensor x) => Unary(x, new GeluOp(), "gelu");

    /// <summary>Exact GELU, computed in double precision.</summary>
    internal readonly struct GeluOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double v = double.CreateTruncating(x);
            return T.CreateTruncating(0.5 * v * (1.0 + SpecialFunctions.Erf(v * 0.70710678118654752440)));
        }

        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double v = double.CreateTruncating(x);
            double cdf = 0.5 * (1.0 + SpecialFunctions.Erf(v * 0.70710678118654752440));
            double pdf = Math.Exp(-0.5 * v * v) * 0.39894228040143267794;
            return T.CreateTruncating(cdf + v * pdf);
        }

        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < x.Length; i++) y[i] = Invoke(x[i]);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
