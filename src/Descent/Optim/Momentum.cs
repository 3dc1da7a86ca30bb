using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

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
        var rule = new Rule<T>
        {
            P = p, G = g, V = s.Span<T>(0, start, p.Length),   // velocity, like θ
            Decay = weightDecay != 0, First = s.Step == 1,
            M = T.CreateTruncating(MomentumFactor), Gamma = T.CreateTruncating(lr), Wd = T.CreateTruncating(weightDecay),
        };
        LaneRule.Run<T, Rule<T>>(ref rule);
    }

    /// <summary>The update of one chunk, at any lane width.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Span<T> P, V;
        public ReadOnlySpan<T> G;
        public bool Decay, First;
        public T M, Gamma, Wd;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            TV m = TV.Splat(M), gamma = TV.Splat(Gamma), wd = TV.Splat(Wd);
            for (int w = TV.Count; i <= P.Length - w; i += w)
            {
                var p = TV.Load(P, i);
                var d = Decay ? TV.Load(G, i) + wd * p : TV.Load(G, i);
                var v = First ? gamma * d : m * TV.Load(V, i) + gamma * d;
                v.Store(V, i);
                (p - v).Store(P, i);
            }
            return i;
        }
    }
}
