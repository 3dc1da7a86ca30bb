namespace Descent;

/// <summary>
/// One recorded op in the autograd graph: it remembers its inputs (and whatever it saved from the
/// forward pass) and, given ∂L/∂output, adds ∂L/∂input into each input with <see cref="Accumulate"/>.
/// Each op file (<c>Ops/*.cs</c>) holds its forward function and its node side by side.
/// </summary>
/// <remarks>Backward runs with gradient recording off, so a node may use ordinary tensor ops.</remarks>
public abstract class Node(params Tensor[] inputs)
{
    /// <summary>The tensors this op read, in argument order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; } = inputs;

    /// <summary>The op's name as it appears in <c>grad_fn=…</c> and error messages.</summary>
    public abstract string Name { get; }

    /// <summary>Given ∂L/∂output (the output's shape), adds ∂L/∂input into each input that needs it.</summary>
    protected internal abstract void Backward(Tensor gradOutput);

    /// <summary>
    /// True while <see cref="Backward"/> runs with a gradient of the output that no other node reads (it came from one
    /// consumer that made it for this output alone): the node may then overwrite it in place (set by the engine).
    /// </summary>
    protected internal bool OwnsGradOutput { get; internal set; }

    /// <summary>True once a backward pass went through this node without <c>retainGraph</c>: going back through it again is an error.</summary>
    internal bool Freed { get; set; }

    /// <summary>True when input <paramref name="i"/> needs a gradient (skip computing it otherwise).</summary>
    protected bool Needs(int i) => Inputs[i].RequiresGrad;

    /// <summary>Adds <paramref name="grad"/> (shaped like <paramref name="input"/>) to the input's gradient.</summary>
    protected static void Accumulate(Tensor input, Tensor grad) => Engine.Accumulate(input, grad);

    /// <summary>
    /// As <see cref="Accumulate"/>, for a gradient tensor the node made for this input alone and never touches again:
    /// a leaf's first gradient is then that tensor itself (no copy).
    /// </summary>
    protected static void AccumulateOwned(Tensor input, Tensor grad) => Engine.Accumulate(input, grad, owned: true);
}
