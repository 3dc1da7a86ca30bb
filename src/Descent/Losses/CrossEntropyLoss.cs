namespace Descent.Losses;

/// <summary>
/// Cross-entropy on logits, <c>torch.nn.CrossEntropyLoss</c>: ℓᵢ = −log softmax(zᵢ)[yᵢ] (fused log-softmax + NLL,
/// see <c>Ops.CrossEntropy</c>); gradient (softmax − onehot)/batch for the mean.
/// </summary>
/// <remarks>
/// Class weights w: ℓᵢ is multiplied by w[yᵢ] and the mean divides by Σ w[yᵢ]. Label smoothing ε (Szegedy et al. 2016):
/// the target becomes (1 − ε)·onehot + ε/C. Keras' <c>CategoricalCrossentropy</c> takes probabilities by default
/// (<c>from_logits=False</c>); this one, like PyTorch's, takes logits.
/// </remarks>
public sealed class CrossEntropyLoss : ILoss
{
    /// <summary>Class weights [C] or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Label smoothing ε in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <summary>Mean (default), sum or none.</summary>
    public Reduction Reduction { get; }

    /// <summary>Target value to skip.</summary>
    public int IgnoreIndex { get; }

    /// <summary>A cross-entropy loss; the arguments are checked when it is applied.</summary>
    public CrossEntropyLoss(Tensor? weight = null, double labelSmoothing = 0, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"CrossEntropyLoss: label smoothing must be in [0, 1], got {labelSmoothing}.");
        (Weight, LabelSmoothing, Reduction, IgnoreIndex) = (weight, labelSmoothing, reduction, ignoreIndex);
    }

    /// <summary>The loss of logits [batch, C] against class indices [batch].</summary>
    public Tensor Forward(Tensor logits, ReadOnlySpan<int> targets) =>
        logits.CrossEntropy(targets, Weight, LabelSmoothing, Reduction, IgnoreIndex);

    /// <summary>As <see cref="Forward(Tensor, ReadOnlySpan{int})"/>, reading <paramref name="targets"/> each time the op runs (a captured step refills them).</summary>
    public Tensor Forward(Tensor logits, int[] targets) =>
        logits.CrossEntropy(targets, Weight, LabelSmoothing, Reduction, IgnoreIndex);

    /// <summary>
    /// The loss of a linear layer's output on <paramref name="features"/> x [batch, in], computed with the layer as one op
    /// (<c>Ops.LinearCrossEntropy</c>: bitwise the loss and gradients of <c>Of(head.Forward(x), …)</c>, in fewer passes);
    /// <paramref name="logits"/> receives the layer's output [batch, C].
    /// </summary>
    internal Tensor OfLinear(Tensor features, Nn.Linear head, int[] targets, out Tensor logits) =>
        features.LinearCrossEntropy(head.Weight, head.Bias, targets, out logits, Weight, LabelSmoothing, Reduction, IgnoreIndex);

    /// <inheritdoc/>
    public bool IsClassification => true;

    /// <inheritdoc/>
    public Tensor Of(Tensor output, LossTargets targets) => Forward(output, targets.RequireLabels("cross-entropy"));
}
