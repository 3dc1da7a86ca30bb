using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = max(x, 0) (rectified linear unit); ∂y/∂x = 1 for x &gt; 0, else 0 (0 at x = 0, as PyTorch).</summary>
    public static Tensor Relu(this Tensor x) => Unary(x, new ReluOp(), "relu");

    /// <summary>y = max(x, 0) (rectified linear unit); ∂y/∂x = 1 for x &gt; 0, else 0 (0 at x = 0, as PyTorch).</summary>
    internal readonly struct ReluOp : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(x, T.Zero);
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : T.Zero;
        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, y);

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int i = 0;
            for (; i <= gx.Length - Vector<T>.Count; i += Vector<T>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(x[i..]), Vector<T>.Zero), new Vector<T>(gy[i..]), Vector<T>.Zero).CopyTo(gx[i..]);
            for (; i < gx.Length; i++) gx[i] = x[i] > T.Zero ? gy[i] : T.Zero;
        }
    }
}
