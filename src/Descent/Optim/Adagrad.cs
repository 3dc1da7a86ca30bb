using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

namespace Descent.Optim;

/// <summary>
/// Adagrad — PyTorch's <c>torch.optim.Adagrad</c>, same defaults and update.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f(θ) + λ·θ                     (weight decay λ, when λ ≠ 0)
/// α_t = α / (1 + (t − 1)·η)           (lr_decay η; t counts from 1)
/// G ← G + g²                          (G starts at initial_accumulator_value)
/// θ ← θ − α_t · g / (√G + ε)
/// </code>
/// The notes write x ← x − γ/(√G_t + ε)·g (ε outside the root, as here; one slide also shows it inside).
/// Keras differs: its accumulator starts at 0.1 and it divides by √(G + ε) (ε = 1e-7 inside the root).
/// </remarks>
public sealed class Adagrad : Optimizer
{
    /// <summary>Adagrad over one list of parameters.</summary>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : this(OneGroup(parameters), lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Adagrad over parameter groups.</summary>
    public Adagrad(IReadOnlyList<ParamGroup> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base("adagrad", groups, lr, weightDecay)
    {
        Check(lrDecay >= 0, "lr_decay", lrDecay, "≥ 0");
        Check(initialAccumulatorValue >= 0, "initial_accumulator_value", initialAccumulatorValue, "≥ 0");
        Check(eps >= 0, "eps", eps, "≥ 0");
        LrDecay = lrDecay; InitialAccumulatorValue = initialAccumulatorValue; Eps = eps;
    }

    /// <summary>η.</summary>
    public double LrDecay { get; }

    /// <summary>G at the start.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override string[] BufferNames => ["sum"];

    /// <inheritdoc/>
    protected override double InitialBufferValue(int index) => InitialAccumulatorValue;

    /// <inheritdoc/>
    protected override void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
    {
        double clr = lr / (1 + (s.Step - 1) * LrDecay);
        var rule = new Rule<T>
        {
            P = p, G = g, Sum = s.Span<T>(0, start, p.Length),   // G, like θ
            Decay = weightDecay != 0,
            NegClr = T.CreateTruncating(-clr), Eps = T.CreateTruncating(Eps), Wd = T.CreateTruncating(weightDecay),
        };
        LaneRule.Run<T, Rule<T>>(ref rule);
    }

    /// <summary>The update of one chunk, at any lane width.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Span<T> P, Sum;
        public ReadOnlySpan<T> G;
        public bool Decay;
        public T NegClr, Eps, Wd;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int i) where TV : struct, ILanes<TV, T>
        {
            TV clr = TV.Splat(NegClr), eps = TV.Splat(Eps), wd = TV.Splat(Wd);
            for (int w = TV.Count; i <= P.Length - w; i += w)
            {
                var p = TV.Load(P, i);
                var d = Decay ? TV.Load(G, i) + wd * p : TV.Load(G, i);
                var s = TV.Load(Sum, i) + d * d;
                s.Store(Sum, i);
                (p + clr * d / (TV.Sqrt(s) + eps)).Store(P, i);
            }
            return i;
        }
    }
}
