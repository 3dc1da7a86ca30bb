using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = a / b (elementwise, broadcasting). ∂y/∂a = 1/b, ∂y/∂b = −a/b².</summary>
    public static Tensor Div(this Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, new DivOp(), "div");
        return Autograd.ShouldRecord(a, b) ? Autograd.Record(y, new DivNode(a, b, y)) : y;
    }

    /// <summary>y = x / s.</summary>
    public static Tensor Div(this Tensor x, double s) => x.Div(Tensor.Scalar(s, x.DType));

    private sealed class DivNode(Tensor a, Tensor b, Tensor y) : Node(a, b)
    {
        public override string Name => "div";

        protected internal override void Backward(Tensor gy)
        {
            var gyOverB = Div(gy, b);
            if (Needs(0)) Accumulate(a, SumTo(gyOverB, a.Shape));
            if (Needs(1)) Accumulate(b, SumTo(Neg(Mul(gyOverB, y)), b.Shape)); // −gy·a/b² = −(gy/b)·y
        }
    }

    /// <summary>a / b.</summary>
    internal readonly struct DivOp : IBinaryOperator
    {
        public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
        public void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, y);
        public void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, y);
        public void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, y);
    }
}
