namespace Descent.Losses;

/// <summary>
/// Mean squared error, <c>torch.nn.MSELoss</c>: ℓ = (1/n) Σᵢ (ŷᵢ − yᵢ)² over all n elements (sum or none on request).
/// Backward: ∂ℓ/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n. The notes' ½‖y − ŷ‖² is <see cref="HalfSumSquaredError"/>.
/// </summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : ILoss
{
    /// <summary>Mean (default), sum or none.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of predictions against targets of the same shape.</summary>
    public Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.SameShape(prediction, target, "MseLoss");
        var sq = prediction.Sub(target).Square();
        return Reduction switch { Reduction.None => sq, Reduction.Sum => sq.Sum(), _ => sq.Mean() };
    }

    /// <inheritdoc/>
    public bool IsClassification => false;

    /// <inheritdoc/>
    public Tensor Of(Tensor output, LossTargets targets) => Forward(output, targets.RequireValues("mse"));
}

/// <summary>Shared argument checks of the regression losses.</summary>
internal static class LossChecks
{
    public static void SameShape(Tensor prediction, Tensor target, string loss)
    {
        if (!Shape.Equal(prediction.Shape, target.Shape))
            throw new ShapeException($"{loss}: prediction {Shape.Format(prediction.Shape)} and target {Shape.Format(target.Shape)} must have the same shape.");
    }
}
