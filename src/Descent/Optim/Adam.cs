using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

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
    protected sealed override void Prepare(ParamState s)
    {
        s.Scalars[0] = 1 - Math.Pow(Beta1, s.Step);   // 1 − β₁ᵗ
        s.Scalars[1] = 1 - Math.Pow(Beta2, s.Step);   // 1 − β₂ᵗ
    }

    /// <inheritdoc/>
    protected sealed override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        var rule = RuleFor(s, start, p, g, lr, weightDecay, measure: false);
        LaneRule.Run<T, Rule<T>>(ref rule);
    }

    /// <inheritdoc/>
    protected sealed override double UpdateAndMeasure<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        var rule = RuleFor(s, start, p, g, lr, weightDecay, measure: true);
        LaneRule.Run<T, Rule<T>>(ref rule);
        return double.CreateTruncating(rule.Squares);
    }

    private Rule<T> RuleFor<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay, bool measure)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bc1 = s.Scalars[0], bc2 = s.Scalars[1];
        return new Rule<T>
        {
            P = p, G = g,
            M = s.Span<T>(0, start, p.Length),                        // first moment, like θ
            V = s.Span<T>(1, start, p.Length),                        // second moment, like θ
            VMax = AmsGrad ? s.Span<T>(2, start, p.Length) : default, // running max of v, like θ
            AmsGrad = AmsGrad,
            L2 = weightDecay != 0 && !Decoupled,
            Shrink = weightDecay != 0 && Decoupled,
            Measure = measure,
            NegStep = T.CreateTruncating(-(lr / bc1)), Bc2Sqrt = T.CreateTruncating(Math.Sqrt(bc2)), Eps = T.CreateTruncating(Eps),
            B1 = T.CreateTruncating(Beta1), A1 = T.CreateTruncating(1 - Beta1), B2 = T.CreateTruncating(Beta2), A2 = T.CreateTruncating(1 - Beta2),
            Wd = T.CreateTruncating(weightDecay), Keep = T.CreateTruncating(1 - lr * weightDecay),
        };
    }

    /// <summary>The update of one chunk, at any lane width; with <see cref="Measure"/>, also Σ g² into <see cref="Squares"/>.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Span<T> P, M, V, VMax;
        public ReadOnlySpan<T> G;
        public bool AmsGrad, L2, Shrink, Measure;
        public T NegStep, Bc2Sqrt, Eps, B1, A1, B2, A2, Wd, Keep, Squares;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            TV b1 = TV.Splat(B1), a1 = TV.Splat(A1), b2 = TV.Splat(B2), a2 = TV.Splat(A2), step = TV.Splat(NegStep);
            TV bc2 = TV.Splat(Bc2Sqrt), eps = TV.Splat(Eps), wd = TV.Splat(Wd), keep = TV.Splat(Keep), squares = TV.Splat(T.Zero);
            for (int w = TV.Count; i <= P.Length - w; i += w)
            {
                var p = TV.Load(P, i);
                if (Shrink) p *= keep;
                var g = TV.Load(G, i);
                if (Measure) squares = TV.MultiplyAdd(g, g, squares);
                var d = L2 ? g + wd * p : g;
                var m = TV.Load(M, i) * b1 + a1 * d;
                var v = TV.Load(V, i) * b2 + a2 * d * d;
                m.Store(M, i); v.Store(V, i);
                if (AmsGrad) { v = TV.Max(TV.Load(VMax, i), v); v.Store(VMax, i); }
                var denom = TV.Sqrt(v) / bc2 + eps;
                (p + step * m / denom).Store(P, i);
            }
            Squares += squares.Sum();
            return i;
        }
    }
}
