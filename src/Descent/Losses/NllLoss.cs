namespace Descent.Losses;

/// <summary>
/// Negative log-likelihood, <c>torch.nn.NLLLoss</c>: input log-probabilities a [batch, C] (e.g. from LogSoftmax),
/// ℓᵢ = −w[yᵢ]·a[i, yᵢ]; mean = Σ ℓᵢ / Σ w[yᵢ]. NLL(log_softmax(z)) equals cross-entropy on z.
/// Backward: ∂ℓᵢ/∂a[i, yᵢ] = −w[yᵢ] (divided by Σ w[yᵢ] for the mean), zero elsewhere.
/// </summary>
public sealed class NllLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
{
    /// <summary>Class weights [C] or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>Mean (default), sum or none.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of log-probabilities [batch, C] against class indices [batch].</summary>
    public Tensor Forward(Tensor logProbabilities, ReadOnlySpan<int> targets) => Forward(logProbabilities, targets.ToArray());

    /// <summary>As <see cref="Forward(Tensor, ReadOnlySpan{int})"/>, reading <paramref name="targets"/> each time the op runs (a captured step refills them).</summary>
    public Tensor Forward(Tensor logProbabilities, int[] targets)
    {
        if (logProbabilities.Rank != 2)
            throw new ShapeException($"NllLoss: needs log-probabilities [batch, classes], got {Shape.Format(logProbabilities.Shape)}.");
        int n = targets.Length, c = logProbabilities.Shape[1];
        if (Weight is not null && (Weight.Rank != 1 || Weight.Shape[0] != c))
            throw new ShapeException($"NllLoss: class weights {Shape.Format(Weight.Shape)} do not fit {c} classes (expected [{c}]).");
        var picked = logProbabilities.Gather(targets);                     // [batch]
        var w = Tensor.Zeros(logProbabilities.DType, n);                   // [batch] w[yᵢ]
        var weight = Weight;
        Tape.Run("nll_loss: weights", () => { for (int i = 0; i < n; i++) w[i] = weight is null ? 1.0 : weight[targets[i]]; });
        var losses = picked.Mul(w).Neg();                                  // [batch]
        return Reduction switch
        {
            Reduction.None => losses,
            Reduction.Sum => losses.Sum(),
            _ => losses.Sum().Div(w.Sum()),
        };
    }
}
