using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>y = a + b (broadcasting). ∂y/∂a = 1, ∂y/∂b = 1; broadcast dimensions are summed back.</summary>
    public static Tensor Add(this Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, new AddOp(), "add");
        return Autograd.ShouldRecord(a, b) ? Autograd.Record(y, new AddNode(a, b)) : y;
    }

    /// <summary>y = x + s.</summary>
    public static Tensor Add(this Tensor x, double s) => x.Add(Tensor.Scalar(s, x.DType));

    /// <summary>a += b in place, outside the graph (b broadcast to a's shape).</summary>
    public static void AddInPlace(Tensor a, Tensor b)
    {
        SameDType(a, b, "add_");
        if (!Shape.Equal(a.Shape, b.Shape) && !Shape.Equal(Shape.Broadcast(a.Shape, b.Shape, "add_"), a.Shape))
            throw new ShapeException($"add_: {Shape.Format(b.Shape)} cannot be added in place into {Shape.Format(a.Shape)}.");
        if (a.DType == DType.Float32) BinaryInto<AddOp, float>(default, a, b, a);
        else BinaryInto<AddOp, double>(default, a, b, a);
    }

    private sealed class AddNode(Tensor a, Tensor b) : Node(a, b)
    {
        public override string Name => "add";

        protected internal override void Backward(Tensor gy)
        {
            if (Needs(0)) Accumulate(a, SumTo(gy, a.Shape));
            if (Needs(1)) Accumulate(b, SumTo(gy, b.Shape));
        }
    }

    /// <summary>a + b.</summary>
    internal readonly struct AddOp : IBinaryOperator
    {
        public T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
        public void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, y);
        public void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(a, b, y);
        public void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(b, a, y);
    }
}
