using System.Numerics;

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
        var sum = s.Span<T>(0, start, p.Length);               // G, like θ
        double clr = lr / (1 + (s.Step - 1) * LrDecay);
        T negClr = T.CreateTruncating(-clr), eps = T.CreateTruncating(Eps), wd = T.CreateTruncating(weightDecay);
        bool decay = weightDecay != 0;
        int i = 0;
        if (Lanes.Enabled<T>())
        {
            Vector<T> vClr = new(negClr), vEps = new(eps), vWd = new(wd);
            for (int w = Lanes.Width<T>(); i <= p.Length - w; i += w)
            {
                var pi = Lanes.Load(p, i);
                var d = decay ? Lanes.Load(g, i) + vWd * pi : Lanes.Load(g, i);
                var si = Lanes.Load(sum, i) + d * d;
                Lanes.Store(si, sum, i);
                Lanes.Store(pi + vClr * d / (Vector.SquareRoot(si) + vEps), p, i);
            }
        }
        for (; i < p.Length; i++)
        {
            T d = decay ? g[i] + wd * p[i] : g[i];
            sum[i] = sum[i] + d * d;
            p[i] = p[i] + negClr * d / (T.Sqrt(sum[i]) + eps);
        }
    }
}
