namespace Descent.Nn;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014), <c>torch.nn.Dropout</c>: in training each element is kept with
/// probability 1 − p and scaled by 1/(1 − p), yᵢ = mᵢ·xᵢ/(1 − p) with mᵢ ~ Bernoulli(1 − p), so E[y] = x;
/// in evaluation y = x. p = 1 gives zeros. The mask comes from the layer's own <see cref="Rng"/> stream.
/// </summary>
/// <remarks>The notes' (and the original paper's) form scales at test time by (1 − p) instead; the two are equivalent in expectation.</remarks>
public sealed class Dropout : Module
{
    private readonly Rng _rng;

    /// <summary>The generator of the masks (its state goes into checkpoints so a resumed run draws the same masks).</summary>
    public Rng Generator => _rng;

    /// <summary>The drop probability p.</summary>
    public double P { get; }

    /// <summary>Dropout with drop probability <paramref name="p"/> in [0, 1], masks drawn from <paramref name="rng"/> (null: a
    /// generator forked from the process-wide source, <see cref="Rng.FromGlobal"/>).</summary>
    public Dropout(double p = 0.5, Rng? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: probability must be in [0, 1], got {p}.");
        (P, _rng) = (p, rng ?? Rng.FromGlobal());
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        if (!Training || P == 0) return x;
        return x.Dropout(P, _rng);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P})";
}
