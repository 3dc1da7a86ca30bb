using System.Numerics;

namespace Descent.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay — PyTorch's <c>torch.optim.SGD</c>, same defaults and update.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f(θ) + λ·θ                               (weight decay λ, when λ ≠ 0)
/// b ← g                 at the first step,       (momentum μ ≠ 0)
/// b ← μ·b + (1 − τ)·g   afterwards                (dampening τ)
/// g ← g + μ·b  (Nesterov)   or   g ← b
/// θ ← θ − α·g
/// </code>
/// With μ = 0 this is the notes' gradient descent x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ∇f(x⁽ᵗ⁾). Keras' SGD differs:
/// its velocity holds the learning rate (v ← μ·v − α·g, θ ← θ + v: the notes' <see cref="Momentum"/> form),
/// it has no dampening, and its Nesterov step is θ ← θ + μ·v − α·g.
/// </remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD over one list of parameters.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>SGD over parameter groups (each may set its own lr and weight decay).</summary>
    public Sgd(IReadOnlyList<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base("sgd", groups, lr, weightDecay)
    {
        Check(momentum >= 0, "momentum", momentum, "≥ 0");
        Check(dampening >= 0 && dampening <= 1, "dampening", dampening, "in [0, 1]");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"sgd: Nesterov momentum needs momentum > 0 and dampening = 0, got momentum={momentum}, dampening={dampening}.");
        MomentumFactor = momentum; Dampening = dampening; Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double MomentumFactor { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override string[] BufferNames => MomentumFactor != 0 ? ["momentum_buffer"] : [];

    /// <inheritdoc/>
    protected override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        T wd = T.CreateTruncating(weightDecay), negLr = T.CreateTruncating(-lr);
        bool decay = weightDecay != 0;
        if (MomentumFactor == 0)
        {
            int j = 0;
            if (Lanes.Enabled<T>())
            {
                Vector<T> vWd = new(wd), vLr = new(negLr);
                for (int w = Lanes.Width<T>(); j <= p.Length - w; j += w)
                {
                    var pj = Lanes.Load(p, j);
                    var d = decay ? Lanes.Load(g, j) + vWd * pj : Lanes.Load(g, j);
                    Lanes.Store(pj + vLr * d, p, j);
                }
            }
            for (; j < p.Length; j++)
            {
                T d = decay ? g[j] + wd * p[j] : g[j];
                p[j] = p[j] + negLr * d;
            }
            return;
        }
        var b = s.Span<T>(0, start, p.Length);                 // momentum buffer, like θ
        T mu = T.CreateTruncating(MomentumFactor), keep = T.CreateTruncating(1 - Dampening);
        bool first = s.Step == 1;
        int i = 0;
        if (Lanes.Enabled<T>())
        {
            Vector<T> vWd = new(wd), vMu = new(mu), vKeep = new(keep), vLr = new(negLr);
            for (int w = Lanes.Width<T>(); i <= p.Length - w; i += w)
            {
                var pi = Lanes.Load(p, i);
                var d = decay ? Lanes.Load(g, i) + vWd * pi : Lanes.Load(g, i);
                var bi = first ? d : Lanes.Load(b, i) * vMu + vKeep * d;
                Lanes.Store(bi, b, i);
                d = Nesterov ? d + vMu * bi : bi;
                Lanes.Store(pi + vLr * d, p, i);
            }
        }
        for (; i < p.Length; i++)
        {
            T d = decay ? g[i] + wd * p[i] : g[i];
            b[i] = first ? d : b[i] * mu + keep * d;
            d = Nesterov ? d + mu * b[i] : b[i];
            p[i] = p[i] + negLr * d;
        }
    }
}
