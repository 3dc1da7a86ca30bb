namespace Descent;

/// <summary>How a loss turns per-element losses into its output, as PyTorch's <c>reduction=</c> argument.</summary>
public enum Reduction
{
    /// <summary>The average over elements (for weighted cross-entropy and NLL: Σ wᵢℓᵢ / Σ wᵢ). PyTorch's default.</summary>
    Mean,
    /// <summary>The sum over elements.</summary>
    Sum,
    /// <summary>No reduction: one loss per element (per sample for classification losses).</summary>
    None,
}
