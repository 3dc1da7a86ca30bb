namespace Descent.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019): Adam with decoupled weight decay — PyTorch's
/// <c>torch.optim.AdamW</c>, same defaults (weight decay 1e-2) and update.
/// </summary>
/// <remarks>
/// <code>
/// θ ← θ·(1 − α·λ)                        (decoupled: λ never enters m or v)
/// then the Adam step of <see cref="Adam"/> with g = ∇f(θ)
/// </code>
/// Keras' AdamW applies the same θ ← θ − α·λ·θ (default λ = 4e-3) and its own ε placement (see Adam).
/// </remarks>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over one list of parameters.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>AdamW over parameter groups.</summary>
    public AdamW(IReadOnlyList<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base("adamw", groups, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true) { }
}
