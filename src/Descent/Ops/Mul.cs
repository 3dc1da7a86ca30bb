using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = a ⊙ b (elementwise, broadcasting). ∂y/∂a = b, ∂y/∂b = a.</summary>
    public static Tensor Mul(this Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, new MulOp(), "mul");
        return Autograd.ShouldRecord(a, b) ? Autograd.Record(y, new MulNode(a, b)) : y;
    }

    /// <summary>y = s·x.</summary>
    public static Tensor Mul(this Tensor x, double s) => x.Mul(Tensor.Scalar(s, x.DType));

    private sealed class MulNode(Tensor a, Tensor b) : Node(a, b)
    {
        public override string Name => "mul";

        protected internal override void Backward(Tensor gy)
        {
            if (Needs(0)) Accumulate(a, SumTo(Mul(gy, b), a.Shape));
            if (Needs(1)) Accumulate(b, SumTo(Mul(gy, a), b.Shape));
        }
    }

    /// <summary>a · b.</summary>
    internal readonly struct MulOp : IBinaryOperator
    {
        public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
        public void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, y);
        public void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(a, b, y);
        public void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(b, a, y);
    }
}
