using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = min(max(x, min), max); ∂y/∂x = 1 where min ≤ x ≤ max, else 0 (as PyTorch). A null bound is open.</summary>
    public static Tensor Clamp(this Tensor x, double? min = null, double? max = null)
    {
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        if (lo > hi) throw new ArgumentException($"clamp: min {lo} is greater than max {hi}.");
        return Unary(x, new ClampOp(lo, hi), "clamp");
    }

    /// <summary>Clamp to [min, max].</summary>
    internal readonly struct ClampOp(double min, double max) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(T.Max(x, Of<T>(min)), Of<T>(max));
        public T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= Of<T>(min) && x <= Of<T>(max) ? T.One : T.Zero;

        public void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Max(x, Of<T>(min), y);
            TensorPrimitives.Min(y, Of<T>(max), y);
        }

        public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> =>
            Descent.Kernels.UnaryBackward.Scalar(this, x, y, gy, gx);
    }
}
