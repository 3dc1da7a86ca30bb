using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// A per-channel affine map of x [n, C, S], y = x·a_c + b_c as one fused multiply-add (rounded once), optionally followed
/// by a ReLU, y = max(x·a_c + b_c, 0). It is batch normalization in evaluation mode with its running statistics folded in,
/// a_c = γ_c/√(σ²_c + ε) and b_c = β_c − μ_c·a_c (the formula PyTorch's CPU kernel uses for inference), and the epilogue
/// a convolution followed by such a batch norm applies to its output while it is still in cache.
/// The fast form (<see cref="Run{T}"/> with fast) uses vector FMAs, the reference a scalar FMA per element: an FMA is
/// rounded once either way, and max is exact, so the two give the same bits, for any split of the runs.
/// </summary>
internal static class ChannelAffine
{
    /// <summary>
    /// y = x·a + b (max(·, 0) with <paramref name="relu"/>) over one run of a channel; y may be x. Fast: the widest lanes
    /// (<see cref="LaneRule"/>), then single lanes; reference: single lanes throughout (a scalar FMA and max, the ReLU op's form).
    /// </summary>
    public static void Run<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y, bool relu, bool fast) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new AffineRule<T>(x, a, b, y, relu);
        if (fast) LaneRule.Run<T, AffineRule<T>>(ref rule);
        else rule.Run<Lane1<T>>(0);
    }

    /// <summary>The map as a lane rule: y[i] = max?(x[i]·a + b), one fused multiply-add a lane.</summary>
    private readonly ref struct AffineRule<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y, bool relu) : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> _x = x;
        private readonly Span<T> _y = y;

        public int Run<V>(int i) where V : struct, ILanes<V, T>
        {
            V va = V.Splat(a), vb = V.Splat(b), zero = V.Splat(T.Zero);
            for (; i + V.Count <= _x.Length; i += V.Count)
            {
                var v = V.MultiplyAdd(V.Load(_x, i), va, vb);
                (relu ? V.Max(v, zero) : v).Store(_y, i);
            }
            return i;
        }
    }

    /// <summary>y [n, C, S] = x·a_c + b_c (then the ReLU) for channels [j0, j0 + w).</summary>
    public static void Apply<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, bool relu, bool fast,
        int j0, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
            for (int j = j0; j < j0 + w; j++)
            {
                int at = (i * c + j) * s;
                Run(x.Slice(at, s), scale[j], shift[j], y.Slice(at, s), relu, fast);
            }
    }

    /// <summary>
    /// The folded batch norm of evaluation mode: a_c = γ_c·(1/√(σ²_c + ε)), b_c = β_c − μ_c·a_c, each computed in float64 from
    /// the running statistics and rounded once to T (empty γ, β mean 1 and 0).
    /// </summary>
    public static void FoldBatchNorm<T>(ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVar, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps,
        Span<T> scale, Span<T> shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < scale.Length; j++)
        {
            double a = (gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j])) * (1.0 / Math.Sqrt(double.CreateTruncating(runningVar[j]) + eps));
            scale[j] = T.CreateTruncating(a);
            shift[j] = T.CreateTruncating((beta.IsEmpty ? 0 : double.CreateTruncating(beta[j])) - double.CreateTruncating(runningMean[j]) * a);
        }
    }
}

/// <summary>
/// What a convolution applies to each output channel's values after its sums and bias, while they are in cache: the
/// folded evaluation-mode batch norm y·scale_c + shift_c and the ReLU (<see cref="ChannelAffine"/>); nothing when
/// scale is null (the default).
/// </summary>
internal readonly unsafe struct ConvEpilogue<T>(T* scale, T* shift, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether there is anything to apply.</summary>
    public bool IsEmpty => scale == null;

    /// <summary>run = run·scale[channel] + shift[channel] (then the ReLU), in place.</summary>
    public void Apply(Span<T> run, int channel)
    {
        if (scale != null) ChannelAffine.Run(run, scale[channel], shift[channel], run, relu, fast: true);
    }
}
