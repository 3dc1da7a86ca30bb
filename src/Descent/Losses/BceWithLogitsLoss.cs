namespace Descent.Losses;

/// <summary>
/// Binary cross-entropy on logits, <c>torch.nn.BCEWithLogitsLoss</c>: for logit x and target y ∈ [0, 1],
/// ℓ = −[y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably as max(x, 0) − x·y + log(1 + e^(−|x|)).
/// Backward: ∂ℓ/∂x = σ(x) − y. Optional pos_weight p multiplies the positive term: ℓ = −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))].
/// </summary>
public sealed class BceWithLogitsLoss(Reduction reduction = Reduction.Mean, double posWeight = 1.0) : ILoss
{
    /// <summary>Mean (default), sum or none.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>Weight p of the positive term.</summary>
    public double PosWeight { get; } = posWeight;

    /// <summary>The loss of logits against targets of the same shape.</summary>
    public Tensor Forward(Tensor logits, Tensor target)
    {
        LossChecks.SameShape(logits, target, "BceWithLogitsLoss");
        var l = logits.ZerosLike();                                        // per-element ℓ, shape of the logits
        double p = PosWeight;
        var y = target.Detach();
        Tape.Run("binary_cross_entropy_with_logits", () => { for (int i = 0; i < l.Length; i++) l[i] = Element(logits[i], y[i], p); });
        var output = Autograd.ShouldRecord(logits) ? Autograd.Record(l, new BceNode(logits, y, p)) : l;
        return Reduction switch { Reduction.None => output, Reduction.Sum => output.Sum(), _ => output.Mean() };
    }

    /// <inheritdoc/>
    public bool IsClassification => false;

    /// <inheritdoc/>
    public Tensor Of(Tensor output, LossTargets targets) => Forward(output, targets.RequireValues("bce"));

    /// <summary>ℓ(x, y) = (1 − y)·x + (1 + (p − 1)y)·softplus(−x), softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0).</summary>
    private static double Element(double x, double y, double p)
    {
        double softplusNeg = Math.Log(1 + Math.Exp(-Math.Abs(x))) + Math.Max(-x, 0);   // −log σ(x)
        return (1 - y) * x + (1 + (p - 1) * y) * softplusNeg;
    }

    /// <summary>∂ℓ/∂x = σ(x)·(1 + (p − 1)y) − p·y  (= σ(x) − y for p = 1).</summary>
    private sealed class BceNode(Tensor x, Tensor target, double p) : Node(x)
    {
        public override string Name => "binary_cross_entropy_with_logits";

        protected internal override void Backward(Tensor g)
        {
            var gx = x.ZerosLike();                                        // ∂ℓ/∂x = g·(σ(x)·(1 + (p − 1)·y) − p·y), in float64
            Tape.Run("binary_cross_entropy_with_logits backward", () =>
            {
                for (int i = 0; i < gx.Length; i++)
                {
                    double xi = x[i], yi = target[i];
                    double s = xi >= 0 ? 1 / (1 + Math.Exp(-xi)) : Math.Exp(xi) / (1 + Math.Exp(xi));
                    gx[i] = g[i] * (s * (1 + (p - 1) * yi) - p * yi);
                }
            });
            AccumulateOwned(x, gx);
        }
    }
}
