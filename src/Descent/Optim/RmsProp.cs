using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

namespace Descent.Optim;

/// <summary>
/// RMSprop — PyTorch's <c>torch.optim.RMSprop</c>, same defaults and update.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f(θ) + λ·θ                        (weight decay λ, when λ ≠ 0)
/// E[g²] ← ρ·E[g²] + (1 − ρ)·g²           (alpha ρ)
/// centered: E[g] ← ρ·E[g] + (1 − ρ)·g,  s = √max(E[g²] − E[g]², 0) + ε
/// otherwise: s = √E[g²] + ε
/// momentum μ > 0:  b ← μ·b + g / s,  θ ← θ − α·b     (b starts at 0)
/// otherwise:       θ ← θ − α·g / s
/// </code>
/// The notes write x ← x − γ/√(E[g²] + ε)·g, ε inside the root; PyTorch (and this class) add ε
/// after the root. Keras follows the notes (ε inside the root: √(E[g²] + ε), centered √(E[g²] − E[g]² + ε))
/// and defaults ρ = 0.9, ε = 1e-7, lr = 1e-3.
/// <para>
/// The centered variance is one fused multiply-add, fma(−E[g], E[g], E[g²]), with E[g] clamped to the finite range,
/// so finite gradients never make it NaN: a gradient so large that (1 − ρ)·g² overflows (≳ 2e20 in float32, 1e155 in
/// float64 for ρ = 0.99) gives E[g²] = ∞, s = ∞ and a zero step — PyTorch's weights stay put too — where
/// E[g²] − E[g]² would be ∞ − ∞ = NaN. A variance that rounding pushes below 0 is taken as 0.
/// </para>
/// </remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSprop over one list of parameters.</summary>
    public RmsProp(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>RMSprop over parameter groups.</summary>
    public RmsProp(IReadOnlyList<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base("rmsprop", groups, lr, weightDecay)
    {
        Check(alpha >= 0 && alpha <= 1, "alpha", alpha, "in [0, 1]");
        Check(eps >= 0, "eps", eps, "≥ 0");
        Check(momentum >= 0, "momentum", momentum, "≥ 0");
        Alpha = alpha; Eps = eps; MomentumFactor = momentum; Centered = centered;
        var names = new List<string> { "square_avg" };
        if (momentum > 0) names.Add("momentum_buffer");
        if (centered) names.Add("grad_avg");
        _names = names.ToArray();
    }

    private readonly string[] _names;

    /// <summary>ρ.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>μ.</summary>
    public double MomentumFactor { get; }

    /// <summary>Whether the variance estimate is centered.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override string[] BufferNames => _names;

    /// <inheritdoc/>
    protected override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        var rule = new Rule<T>
        {
            P = p, G = g,
            Sq = s.Span<T>(0, start, p.Length),                                                   // E[g²], like θ
            Buf = MomentumFactor > 0 ? s.Span<T>(1, start, p.Length) : default,                   // b, like θ
            Ga = Centered ? s.Span<T>(MomentumFactor > 0 ? 2 : 1, start, p.Length) : default,     // E[g], like θ
            Decay = weightDecay != 0, Momentum = MomentumFactor > 0, Centered = Centered,
            Rho = T.CreateTruncating(Alpha), Rest = T.CreateTruncating(1 - Alpha), Eps = T.CreateTruncating(Eps),
            NegLr = T.CreateTruncating(-lr), Mu = T.CreateTruncating(MomentumFactor), Wd = T.CreateTruncating(weightDecay),
        };
        LaneRule.Run<T, Rule<T>>(ref rule);
    }

    /// <summary>The update of one chunk, at any lane width.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Span<T> P, Sq, Buf, Ga;
        public ReadOnlySpan<T> G;
        public bool Decay, Momentum, Centered;
        public T Rho, Rest, Eps, NegLr, Mu, Wd;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            TV rho = TV.Splat(Rho), rest = TV.Splat(Rest), eps = TV.Splat(Eps), lr = TV.Splat(NegLr), mu = TV.Splat(Mu), wd = TV.Splat(Wd);
            TV zero = TV.Splat(T.Zero), negBig = TV.Splat(-T.BitDecrement(T.PositiveInfinity));   // the most negative finite T
            for (int w = TV.Count; i <= P.Length - w; i += w)
            {
                var p = TV.Load(P, i);
                var d = Decay ? TV.Load(G, i) + wd * p : TV.Load(G, i);
                var sq = TV.Load(Sq, i) * rho + rest * d * d;
                sq.Store(Sq, i);
                TV avg;
                if (Centered)
                {
                    var ga = TV.Load(Ga, i) * rho + rest * d;
                    ga.Store(Ga, i);
                    // E[g²] − E[g]² as one fused multiply-add (E[g]² never rounds to ∞ on its own: ∞ − ∞ would be NaN),
                    // E[g] clamped to the finite range, and a variance rounded below 0 taken as 0.
                    var gc = zero - TV.Max(zero - TV.Max(ga, negBig), negBig);
                    avg = TV.Sqrt(TV.Max(TV.MultiplyAdd(zero - gc, gc, sq), zero)) + eps;
                }
                else avg = TV.Sqrt(sq) + eps;
                if (Momentum)
                {
                    var b = TV.Load(Buf, i) * mu + d / avg;
                    b.Store(Buf, i);
                    (p + lr * b).Store(P, i);
                }
                else (p + lr * d / avg).Store(P, i);
            }
            return i;
        }
    }
}
