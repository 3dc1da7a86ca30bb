namespace Descent.Losses;

/// <summary>
/// The notes' squared-error loss E = ½‖y − ŷ‖² = ½ Σᵢ (yᵢ − ŷᵢ)², summed over every element (batch included), so that
/// ∂E/∂ŷᵢ = ŷᵢ − yᵢ with no factor 2. Equivalent to PyTorch's <c>0.5 * MSELoss(reduction='sum')</c>;
/// it equals n/2 × <see cref="MseLoss"/> for n elements.
/// </summary>
public sealed class HalfSumSquaredError : ILoss
{
    /// <summary>The loss of predictions ŷ against targets y of the same shape.</summary>
    public Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.SameShape(prediction, target, "HalfSumSquaredError");
        return target.Sub(prediction).Square().Sum().Mul(0.5);
    }

    /// <inheritdoc/>
    public bool IsClassification => false;

    /// <summary>Sum: the loss of a batch is a total over its examples.</summary>
    public Reduction Reduction => Reduction.Sum;

    /// <inheritdoc/>
    public Tensor Of(Tensor output, LossTargets targets) => Forward(output, targets.RequireValues("half-sse"));
}
