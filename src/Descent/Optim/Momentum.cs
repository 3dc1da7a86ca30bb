using System.Numerics;

namespace Descent.Optim;

/// <summary>
/// The notes' Momentum: the velocity holds the learning rate.
/// <code>
/// v⁽ᵗ⁾ = γ·g_t                 (t = 0)
/// v⁽ᵗ⁾ = m·v⁽ᵗ⁻¹⁾ + γ·g_t       (t ≥ 1)
/// x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − v⁽ᵗ⁾
/// </code>
/// </summary>
/// <remarks>
/// For a constant learning rate this is PyTorch's <c>SGD(momentum=m)</c> (no dampening): there
/// b ← m·b + g and x ← x − γ·b, so v = γ·b at every step and the trajectories agree (up to rounding).
/// They differ when γ changes: here a new γ weighs only new gradients, in PyTorch it scales the whole
/// buffer at once. This is also Keras' SGD momentum (v ← m·v − γ·g, x ← x + v). Weight decay, when set,
/// is L2 added to the gradient, as in <see cref="Sgd"/>.
/// </remarks>
public sealed class Momentum : Optimizer
{
    /// <summary>Momentum over one list of parameters (m = <paramref name="momentum"/>, γ = <paramref name="lr"/>).</summary>
    public Momentum(IEnumerable<Tensor> parameters, double lr = 1e-2, double momentum = 0.9, double weightDecay = 0)
        : this(OneGroup(parameters), lr, momentum, weightDecay) { }

    /// <summary>Momentum over parameter groups.</summary>
    public Momentum(IReadOnlyList<ParamGroup> groups, double lr = 1e-2, double momentum = 0.9, double weightDecay = 0)
        : base("momentum", groups, lr, weightDecay)
    {
        Check(momentum >= 0 && momentum < 1, "momentum", momentum, "in [0, 1)");
        MomentumFactor = momentum;
    }

    /// <summary>m.</summary>
    public double MomentumFactor { get; }

    /// <inheritdoc/>
    protected override string[] BufferNames => ["velocity"];

    /// <inheritdoc/>
    protected override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        var v = s.Span<T>(0, start, p.Length);                 // velocity, like θ
        T m = T.CreateTruncating(MomentumFactor), gamma = T.CreateTruncating(lr), wd = T.CreateTruncating(weightDecay);
        bool decay = weightDecay != 0, first = s.Step == 1;
        int i = 0;
        if (Lanes.Enabled<T>())
        {
            Vector<T> vM = new(m), vGamma = new(gamma), vWd = new(wd);
            for (int w = Lanes.Width<T>(); i <= p.Length - w; i += w)
            {
                var pi = Lanes.Load(p, i);
                var d = decay ? Lanes.Load(g, i) + vWd * pi : Lanes.Load(g, i);
                var vi = first ? vGamma * d : vM * Lanes.Load(v, i) + vGamma * d;
                Lanes.Store(vi, v, i);
                Lanes.Store(pi - vi, p, i);
            }
        }
        for (; i < p.Length; i++)
        {
            T d = decay ? g[i] + wd * p[i] : g[i];
            v[i] = first ? gamma * d : m * v[i] + gamma * d;
            p[i] = p[i] - v[i];
        }
    }
}
