using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ); ∂y/∂x = 1 − y².</summary>
    public static Tensor Tanh(this Tensor x) => Unary(x, new TanhOp(), "tanh");

    /// <summary>y = tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ); ∂y/∂x = 1 − y².</summary>
    internal readonly struct TanhOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.One - y * y;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            // TensorPrimitives.Tanh loses ~6 digits near 0 in float32 (it subtracts close numbers), so this stays exact.
            for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int i = 0;
            for (; i <= gx.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var yv = new Vector<T>(y[i..]);
                (new Vector<T>(gy[i..]) * (Vector<T>.One - yv * yv)).CopyTo(gx[i..]);
            }
            for (; i < gx.Length; i++) gx[i] = gy[i] * Derivative(x[i], y[i]);
        }
    }
}
