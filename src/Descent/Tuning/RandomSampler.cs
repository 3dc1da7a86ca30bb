namespace Descent.Tuning;

/// <summary>Random search: every parameter drawn independently on its own scale (the notes: random, not a grid).</summary>
public sealed class RandomSampler : ISampler
{
    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public Dictionary<string, object> Sample(SamplingContext context) => context.Space.Sample(context.Rng);
}
