using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = σ(x) = 1/(1 + e⁻ˣ); ∂y/∂x = y(1 − y). Computed stably on both sides of 0.</summary>
    public static Tensor Sigmoid(this Tensor x) => Unary(x, new SigmoidOp(), "sigmoid");

    /// <summary>y = σ(x) = 1/(1 + e⁻ˣ); ∂y/∂x = y(1 − y). Computed stably on both sides of 0.</summary>
    internal readonly struct SigmoidOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x >= T.Zero ? T.One / (T.One + T.Exp(-x)) : T.Exp(x) / (T.One + T.Exp(x));
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => y * (T.One - y);
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int i = 0;
            for (; i <= gx.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var yv = new Vector<T>(y[i..]);
                (new Vector<T>(gy[i..]) * (yv * (Vector<T>.One - yv))).CopyTo(gx[i..]);
            }
            for (; i < gx.Length; i++) gx[i] = gy[i] * Derivative(x[i], y[i]);
        }
    }
}
