using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = a − b (broadcasting). ∂y/∂a = 1, ∂y/∂b = −1.</summary>
    public static Tensor Sub(this Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, new SubOp(), "sub");
        return Autograd.ShouldRecord(a, b) ? Autograd.Record(y, new SubNode(a, b)) : y;
    }

    /// <summary>y = x − s.</summary>
    public static Tensor Sub(this Tensor x, double s) => x.Sub(Tensor.Scalar(s, x.DType));

    private sealed class SubNode(Tensor a, Tensor b) : Node(a, b)
    {
        public override string Name => "sub";

        protected internal override void Backward(Tensor gy)
        {
            if (Needs(0)) Accumulate(a, SumTo(gy, a.Shape));
            if (Needs(1)) Accumulate(b, SumTo(Neg(gy), b.Shape));
        }
    }

    /// <summary>a − b.</summary>
    internal readonly struct SubOp : IBinaryOperator
    {
        public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
        public void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, y);
        public void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, y);
        public void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(a, b, y);
    }
}
