using System.Numerics;

namespace Descent.Optim;

/// <summary>
/// RMSprop — PyTorch's <c>torch.optim.RMSprop</c>, same defaults and update.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f(θ) + λ·θ                        (weight decay λ, when λ ≠ 0)
/// E[g²] ← ρ·E[g²] + (1 − ρ)·g²           (alpha ρ)
/// centered: E[g] ← ρ·E[g] + (1 − ρ)·g,  s = √(E[g²] − E[g]²) + ε
/// otherwise: s = √E[g²] + ε
/// momentum μ > 0:  b ← μ·b + g / s,  θ ← θ − α·b     (b starts at 0)
/// otherwise:       θ ← θ − α·g / s
/// </code>
/// The notes write x ← x − γ/√(E[g²] + ε)·g, ε inside the root; PyTorch (and this class) add ε
/// after the root. Keras follows the notes (ε inside the root: √(E[g²] + ε), centered √(E[g²] − E[g]² + ε))
/// and defaults ρ = 0.9, ε = 1e-7, lr = 1e-3.
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
        var sq = s.Span<T>(0, start, p.Length);                                 // E[g²], like θ
        var buf = MomentumFactor > 0 ? s.Span<T>(1, start, p.Length) : default; // b, like θ
        var ga = Centered ? s.Span<T>(MomentumFactor > 0 ? 2 : 1, start, p.Length) : default; // E[g], like θ
        T rho = T.CreateTruncating(Alpha), rest = T.CreateTruncating(1 - Alpha), eps = T.CreateTruncating(Eps);
        T negLr = T.CreateTruncating(-lr), mu = T.CreateTruncating(MomentumFactor), wd = T.CreateTruncating(weightDecay);
        bool decay = weightDecay != 0, momentum = MomentumFactor > 0;
        int i = 0;
        if (Lanes.Enabled<T>())
        {
            Vector<T> vRho = new(rho), vRest = new(rest), vEps = new(eps), vLr = new(negLr), vMu = new(mu), vWd = new(wd);
            for (int w = Lanes.Width<T>(); i <= p.Length - w; i += w)
            {
                var pi = Lanes.Load(p, i);
                var d = decay ? Lanes.Load(g, i) + vWd * pi : Lanes.Load(g, i);
                var si = Lanes.Load(sq, i) * vRho + vRest * d * d;
                Lanes.Store(si, sq, i);
                Vector<T> avg;
                if (Centered)
                {
                    var gi = Lanes.Load(ga, i) * vRho + vRest * d;
                    Lanes.Store(gi, ga, i);
                    avg = Vector.SquareRoot(si - gi * gi) + vEps;
                }
                else avg = Vector.SquareRoot(si) + vEps;
                if (momentum)
                {
                    var bi = Lanes.Load(buf, i) * vMu + d / avg;
                    Lanes.Store(bi, buf, i);
                    Lanes.Store(pi + vLr * bi, p, i);
                }
                else Lanes.Store(pi + vLr * d / avg, p, i);
            }
        }
        for (; i < p.Length; i++)
        {
            T d = decay ? g[i] + wd * p[i] : g[i];
            sq[i] = sq[i] * rho + rest * d * d;
            T avg;
            if (Centered)
            {
                ga[i] = ga[i] * rho + rest * d;
                avg = T.Sqrt(sq[i] - ga[i] * ga[i]) + eps;
            }
            else avg = T.Sqrt(sq[i]) + eps;
            if (momentum)
            {
                buf[i] = buf[i] * mu + d / avg;
                p[i] = p[i] + negLr * buf[i];
            }
            else p[i] = p[i] + negLr * d / avg;
        }
    }
}
