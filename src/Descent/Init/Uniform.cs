namespace Descent.Init;

/// <summary>w ~ U(a, b), independent draws (<c>nn.init.uniform_</c>).</summary>
public sealed class Uniform : Initializer
{
    /// <summary>The bounds a ≤ b.</summary>
    public double Low { get; }

    /// <inheritdoc cref="Low"/>
    public double High { get; }

    /// <summary>U(low, high); low must not exceed high.</summary>
    public Uniform(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
            throw new ArgumentException($"Uniform initializer: needs finite bounds with low ≤ high, got [{low}, {high}].");
        (Low, High) = (low, high);
    }

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        if (tensor.DType == DType.Float32) rng.FillUniform(tensor.Floats, Low, High); else rng.FillUniform(tensor.Doubles, Low, High);
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => $"uniform:{F(Low)},{F(High)}";
}
