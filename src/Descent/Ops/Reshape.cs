namespace Descent;

public static partial class Ops
{
    /// <summary>The same elements with another shape (a view sharing storage). One dimension may be −1 (inferred).</summary>
    public static Tensor Reshape(this Tensor x, params int[] shape)
    {
        var s = (int[])shape.Clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ShapeException($"reshape: only one dimension can be -1, got {Shape.Format(shape)}.");
                infer = i;
            }
            else if (s[i] < 0) throw new ShapeException($"reshape: invalid dimension {s[i]} in {Shape.Format(shape)}.");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0)
                throw new ShapeException($"reshape: cannot reshape {Shape.Format(x.Shape)} ({x.Length} elements) to {Shape.Format(shape)}.");
            s[infer] = x.Length / known;
        }
        if (Shape.Numel(s) != x.Length)
            throw new ShapeException($"reshape: cannot reshape {Shape.Format(x.Shape)} ({x.Length} elements) to {Shape.Format(shape)} ({Shape.Numel(s)} elements).");
        var y = x.ViewAs(s);
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new ReshapeNode(x)) : y;
    }

    /// <summary>Flattens dimensions from <paramref name="startAxis"/> on into one: [N, 1, 28, 28] → [N, 784].</summary>
    public static Tensor Flatten(this Tensor x, int startAxis = 1)
    {
        if (x.Rank == 0) return x.Reshape(1);
        int start = Shape.Axis(startAxis, x.Rank, "flatten");
        var s = new int[start + 1];
        for (int i = 0; i < start; i++) s[i] = x.Shape[i];
        s[start] = -1;
        return x.Length == 0 ? x.Reshape(x.ShapeArray[..start].Append(0).ToArray()) : x.Reshape(s);
    }

    private sealed class ReshapeNode(Tensor x) : Node(x)
    {
        public override string Name => "reshape";

        protected internal override void Backward(Tensor gy) => Accumulate(x, gy.ViewAs(x.ShapeArray));
    }
}
