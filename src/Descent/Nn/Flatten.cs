namespace Descent.Nn;

/// <summary>Flattens every axis from <see cref="StartAxis"/> on, <c>torch.nn.Flatten</c>: [batch, d₁, d₂, …] → [batch, d₁·d₂·…].</summary>
public sealed class Flatten(int startAxis = 1) : Module
{
    /// <summary>The first axis merged (1 keeps the batch axis).</summary>
    public int StartAxis { get; } = startAxis;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Flatten(StartAxis);
}
