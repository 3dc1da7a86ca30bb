namespace Descent.Losses;

/// <summary>
/// The notes' squared-error loss E = ½‖y − ŷ‖² = ½ Σᵢ (yᵢ − ŷᵢ)², summed over every element (batch included), so that
/// ∂E/∂ŷᵢ = ŷᵢ − yᵢ with no factor 2. Equivalent to PyTorch's <c>0.5 * MSELoss(reduction='sum')</c>;
/// it equals n/2 × <see cref="MseLoss"/> for n elements.
/// </summary>
public sealed class HalfSumSquaredError
{
    /// <summary>The loss of predictions ŷ against targets y of the same shape.</summary>
    public Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.SameShape(prediction, target, "HalfSumSquaredError");
        return target.Sub(prediction).Square().Sum().Mul(0.5);
    }
}
