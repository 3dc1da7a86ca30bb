namespace Descent.Init;

/// <summary>Every element = <see cref="Value"/> (<c>nn.init.constant_</c>; zeros and ones are presets).</summary>
public sealed class Constant(double value) : Initializer
{
    /// <summary>The fill value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null) => tensor.Fill(Value);

    /// <inheritdoc/>
    public override string ToString() => Value == 0 ? "zeros" : Value == 1 ? "ones" : $"constant:{F(Value)}";
}
