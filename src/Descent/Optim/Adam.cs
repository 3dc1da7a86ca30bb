using System.Numerics;

namespace Descent.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) with bias correction, L2 weight decay and AMSGrad — PyTorch's
/// <c>torch.optim.Adam</c>, same defaults and update.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f(θ) + λ·θ                         (weight decay λ, when λ ≠ 0; AdamW decouples it)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂max ← max(v̂max, v)                     (AMSGrad only; then v below means v̂max)
/// θ ← θ − α/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// ε is added after the root and after the bias correction, as in PyTorch and the paper. Keras
/// (and TensorFlow's <c>tf.keras.optimizers.Adam</c>) folds the correction into the step size,
/// α_t = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ), θ ← θ − α_t·m/(√v + ε̂): its ε̂ (default 1e-7) acts on the uncorrected √v.
/// </remarks>
public class Adam : Optimizer
{
    /// <summary>Adam over one list of parameters.</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Adam over parameter groups.</summary>
    public Adam(IReadOnlyList<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this("adam", groups, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false) { }

    /// <summary>Adam or AdamW (decoupled weight decay).</summary>
    private protected Adam(string name, IReadOnlyList<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
        : base(name, groups, lr, weightDecay)
    {
        Check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)");
        Check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)");
        Check(eps >= 0, "eps", eps, "≥ 0");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; AmsGrad = amsgrad; Decoupled = decoupled;
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>Whether the AMSGrad maximum of v is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>Whether weight decay is decoupled (AdamW: θ ← θ·(1 − α·λ) before the Adam step) rather than L2.</summary>
    public bool Decoupled { get; }

    /// <inheritdoc/>
    protected override string[] BufferNames => AmsGrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    protected sealed override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        var m = s.Span<T>(0, start, p.Length);                 // first moment, like θ
        var v = s.Span<T>(1, start, p.Length);                 // second moment, like θ
        var vmax = AmsGrad ? s.Span<T>(2, start, p.Length) : default; // running max of v, like θ
        double bc1 = 1 - Math.Pow(Beta1, s.Step), bc2 = 1 - Math.Pow(Beta2, s.Step);
        T negStep = T.CreateTruncating(-(lr / bc1)), bc2Sqrt = T.CreateTruncating(Math.Sqrt(bc2)), eps = T.CreateTruncating(Eps);
        T b1 = T.CreateTruncating(Beta1), a1 = T.CreateTruncating(1 - Beta1), b2 = T.CreateTruncating(Beta2), a2 = T.CreateTruncating(1 - Beta2);
        bool l2 = weightDecay != 0 && !Decoupled, shrink = weightDecay != 0 && Decoupled;
        T wd = T.CreateTruncating(weightDecay), keep = T.CreateTruncating(1 - lr * weightDecay);
        int i = 0;
        if (Lanes.Enabled<T>())
        {
            Vector<T> vB1 = new(b1), vA1 = new(a1), vB2 = new(b2), vA2 = new(a2), vStep = new(negStep), vBc2 = new(bc2Sqrt), vEps = new(eps), vWd = new(wd), vKeep = new(keep);
            for (int w = Lanes.Width<T>(); i <= p.Length - w; i += w)
            {
                var pi = Lanes.Load(p, i);
                if (shrink) pi *= vKeep;
                var d = l2 ? Lanes.Load(g, i) + vWd * pi : Lanes.Load(g, i);
                var mi = Lanes.Load(m, i) * vB1 + vA1 * d;
                var vi = Lanes.Load(v, i) * vB2 + vA2 * d * d;
                Lanes.Store(mi, m, i); Lanes.Store(vi, v, i);
                if (AmsGrad) { vi = Vector.Max(Lanes.Load(vmax, i), vi); Lanes.Store(vi, vmax, i); }
                var denom = Vector.SquareRoot(vi) / vBc2 + vEps;
                Lanes.Store(pi + vStep * mi / denom, p, i);
            }
        }
        for (; i < p.Length; i++)
        {
            T pi = p[i];
            if (shrink) pi *= keep;
            T d = l2 ? g[i] + wd * pi : g[i];
            m[i] = m[i] * b1 + a1 * d;
            v[i] = v[i] * b2 + a2 * d * d;
            T vi = v[i];
            if (AmsGrad) vi = vmax[i] = T.Max(vmax[i], vi);
            T denom = T.Sqrt(vi) / bc2Sqrt + eps;
            p[i] = pi + negStep * m[i] / denom;
        }
    }
}
