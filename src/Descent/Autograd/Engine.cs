namespace Descent;

/// <summary>
/// Reverse-mode differentiation: orders the graph topologically from the output, then calls each
/// node's backward once, after every consumer of its output has passed its gradient back.
/// </summary>
internal static class Engine
{
    public static void Backward(Tensor root, Tensor? gradRoot, bool retainGraph = false)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the tensor does not require grad (no input of the graph had RequiresGrad = true).");
        if (gradRoot is null)
        {
            if (root.Length != 1)
                throw new ShapeException($"Backward: an output of shape {Shape.Format(root.Shape)} needs an explicit gradient; only a one-element output defaults to 1.");
            var seed = gradRoot = Tensor.Zeros(root.DType, root.ShapeArray);
            Tape.Run("backward: ∂L/∂L = 1", () => seed.Fill(1.0));
        }
        else if (!Shape.Equal(gradRoot.Shape, root.Shape))
        {
            throw new ShapeException($"Backward: gradient shape {Shape.Format(gradRoot.Shape)} does not match output shape {Shape.Format(root.Shape)}.");
        }

        var order = TopologicalOrder(root);
        foreach (var t in order)
            if (t.GradFn!.Freed)
                throw new InvalidOperationException($"Backward: the graph through '{t.GradFn.Name}' was already back-propagated and freed; " +
                    "run the forward pass again, or pass retainGraph: true to the first Backward to go back through it twice (as PyTorch's retain_graph).");
        using var _ = Autograd.NoGrad();
        Accumulate(root, gradRoot);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var g = t.PendingGrad;
            t.PendingGrad = null;
            if (g is null) continue;
            var node = t.GradFn!;
            node.OwnsGradOutput = t.PendingGradOwned;
            t.PendingGradOwned = false;
            try { node.Backward(g); }
            finally { node.OwnsGradOutput = false; }
        }
        if (!retainGraph) foreach (var t in order) t.GradFn!.Freed = true;
    }

    /// <summary>
    /// Adds <paramref name="grad"/> to a leaf's Grad, or to a non-leaf's pending gradient. With <paramref name="owned"/>
    /// (the caller made <paramref name="grad"/> for this call alone and never touches it again) a leaf's first gradient
    /// is that tensor itself, not a copy: the op's kernel writes ∂L/∂θ straight into the parameter's gradient.
    /// </summary>
    public static void Accumulate(Tensor input, Tensor grad, bool owned = false)
    {
        if (!input.RequiresGrad) return;
        if (!Shape.Equal(grad.Shape, input.Shape))
            throw new ShapeException($"Backward of {input.GradFn?.Name ?? "a leaf"}: gradient shape {Shape.Format(grad.Shape)} does not match tensor shape {Shape.Format(input.Shape)}.");
        if (input.IsLeaf || input.RetainGrad)
        {
            if (input.Grad is null)
            {
                Tensor g;
                if (owned && input.IsLeaf) g = grad;
                else
                {
                    g = grad.ZerosLike();
                    Tape.Run("backward: copy gradient", () => g.CopyFrom(grad));
                }
                // A replayed step rebinds the gradient (an optimizer's ZeroGrad sets it to null between steps).
                Tape.Run(null, () => input.Grad = g);
            }
            else
            {
                var sum = input.Grad;
                Tape.Run("backward: accumulate gradient", () => Ops.AddInPlace(sum, grad));
            }
        }
        if (!input.IsLeaf)
        {
            if (input.PendingGrad is null) (input.PendingGrad, input.PendingGradOwned) = (grad, owned);
            else (input.PendingGrad, input.PendingGradOwned) = (Ops.Add(input.PendingGrad, grad), true);
        }
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        // A depth-first walk with an explicit stack: each entry a tensor and the next of its inputs to visit. Two lists, not
        // a stack of tuples, whose generic code would be compiled at run time on the way to the first step.
        var stack = new List<Tensor> { root };
        var nexts = new List<int> { 0 };
        visited.Add(root);
        while (stack.Count > 0)
        {
            int top = stack.Count - 1;
            var t = stack[top];
            int next = nexts[top];
            var inputs = t.GradFn?.Inputs;
            if (inputs is not null && next < inputs.Count)
            {
                nexts[top] = next + 1;
                var child = inputs[next];
                if (child.GradFn is not null && visited.Add(child)) { stack.Add(child); nexts.Add(0); }
            }
            else
            {
                stack.RemoveAt(top);
                nexts.RemoveAt(top);
                if (t.GradFn is not null) order.Add(t);
            }
        }
        return order;
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// Back-propagates from this tensor: a one-element output defaults to ∂L/∂L = 1; otherwise pass
    /// <paramref name="gradient"/> of this tensor's shape. Gradients accumulate (<c>+=</c>) into the
    /// <see cref="Grad"/> of every leaf with <see cref="RequiresGrad"/>; zero them between steps. The graph is then freed:
    /// a second Backward through it throws, unless the first passed <paramref name="retainGraph"/> (PyTorch's <c>retain_graph</c>).
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Engine.Backward(this, gradient, retainGraph);
}
