using System.Numerics;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = x for x &gt; 0, else slope·x (PyTorch's default slope 0.01); ∂y/∂x = 1 or slope.</summary>
    public static Tensor LeakyRelu(this Tensor x, double negativeSlope = 0.01) => Unary(x, new LeakyReluOp(negativeSlope), "leaky_relu");

    /// <summary>Leaky ReLU with a fixed negative slope.</summary>
    internal readonly struct LeakyReluOp(double negativeSlope) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : x * Of<T>(negativeSlope);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : Of<T>(negativeSlope);

        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var slope = new Vector<T>(Of<T>(negativeSlope));
            int i = 0;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(x[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, v * slope).CopyTo(y[i..]);
            }
            for (; i < x.Length; i++) y[i] = Invoke(x[i]);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var slope = new Vector<T>(Of<T>(negativeSlope));
            int i = 0;
            for (; i <= gx.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gy[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(x[i..]), Vector<T>.Zero), g, g * slope).CopyTo(gx[i..]);
            }
            for (; i < gx.Length; i++) gx[i] = gy[i] * Derivative(x[i], y[i]);
        }
    }
}
