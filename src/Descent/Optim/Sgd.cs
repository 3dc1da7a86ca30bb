using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

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
        bool momentum = MomentumFactor != 0;
        var rule = new Rule<T>
        {
            P = p, G = g, B = momentum ? s.Span<T>(0, start, p.Length) : default,   // momentum buffer, like θ
            Decay = weightDecay != 0, Momentum = momentum, First = s.Step == 1, Nesterov = Nesterov,
            Wd = T.CreateTruncating(weightDecay), NegLr = T.CreateTruncating(-lr),
            Mu = T.CreateTruncating(MomentumFactor), Keep = T.CreateTruncating(1 - Dampening),
        };
        LaneRule.Run<T, Rule<T>>(ref rule);
    }

    /// <summary>The update of one chunk, at any lane width.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Span<T> P, B;
        public ReadOnlySpan<T> G;
        public bool Decay, Momentum, First, Nesterov;
        public T Wd, NegLr, Mu, Keep;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            TV wd = TV.Splat(Wd), lr = TV.Splat(NegLr), mu = TV.Splat(Mu), keep = TV.Splat(Keep);
            for (int w = TV.Count; i <= P.Length - w; i += w)
            {
                var p = TV.Load(P, i);
                var d = Decay ? TV.Load(G, i) + wd * p : TV.Load(G, i);
                if (Momentum)
                {
                    var b = First ? d : TV.Load(B, i) * mu + keep * d;
                    b.Store(B, i);
                    d = Nesterov ? d + mu * b : b;
                }
                (p + lr * d).Store(P, i);
            }
            return i;
        }
    }
}
