using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Descent.Kernels;

/// <summary>
/// Batch normalization of x [n, C, S] per channel j over its m = n·S values (S = 1: the columns of x [n, C]; S = H·W: the
/// channels of a feature map), in float64 (Ioffe and Szegedy 2015); a channel's sums add, in sample order i, each run of
/// S values summed in eight lanes (<see cref="LaneSum"/>; for S = 1 that is the value itself):
/// <code>
///   μⱼ = (1/m) Σᵢₛ xᵢⱼₛ,  σⱼ² = (1/m) Σᵢₛ (xᵢⱼₛ − μⱼ)²,  x̂ᵢⱼₛ = (xᵢⱼₛ − μⱼ)/√(σⱼ² + ε),  yᵢⱼₛ = γⱼ·x̂ᵢⱼₛ + βⱼ
///   backward (g = ∂L/∂y):  ∂L/∂βⱼ = Σᵢₛ gᵢⱼₛ,  ∂L/∂γⱼ = Σᵢₛ gᵢⱼₛx̂ᵢⱼₛ,
///                          ∂L/∂xᵢⱼₛ = γⱼ/(m·√(σⱼ² + ε)) · (m·gᵢⱼₛ − Σ g·ⱼ· − x̂ᵢⱼₛ Σ (g·x̂)·ⱼ·)
/// </code>
/// The reference is the scalar loop; the fast form does the same float64 operations, in the same order: for S = 1 a
/// row of a block of columns at a time with vector calls, the blocks split over the worker pool; for S &gt; 1 see
/// <see cref="BatchNormChannels"/>. So the two give the same bits, for any thread count (a channel is computed by one
/// thread, in order).
/// </summary>
internal static class BatchNormKernel
{
    /// <summary>Columns per part of the fast form (each part on one thread; its float64 rows live on the stack).</summary>
    internal const int Block = 64;

    /// <summary>Throws unless the spans fit x [n, c, s]: data of n·c·s elements, γ and β of c or 0, statistics of c.</summary>
    internal static void CheckLengths(int x, int n, int c, int s, int gamma, int beta, int y, int xhat, int stat1, int stat2, int stat3)
    {
        if (n < 0 || c < 0 || s < 1 || (long)n * c * s != x || y != x || xhat != x)
            throw new ArgumentException($"BatchNorm: spans of {x}, {y} and {xhat} elements do not fit [{n}, {c}, {s}].");
        if ((gamma != 0 && gamma != c) || (beta != 0 && beta != c) || stat1 != c || stat2 != c || stat3 != c)
            throw new ArgumentException($"BatchNorm: per-channel spans of {gamma}, {beta}, {stat1}, {stat2}, {stat3} elements do not fit {c} channels.");
    }

    /// <summary>Throws unless a fused ReLU (a gate of <paramref name="gate"/> elements) comes with feature maps (S &gt; 1) and fits.</summary>
    internal static void CheckRelu(bool relu, int s, int gate, int length)
    {
        if (!relu) return;
        if (s < 2) throw new ArgumentException("BatchNorm: the fused ReLU is for feature maps (spatial > 1).");
        if (gate != length) throw new ArgumentException($"BatchNorm: the ReLU gate has {gate} elements, expected {length}.");
    }

    /// <summary>
    /// Forward: writes y, x̂ [n, C, S] and μ, σ², 1/√(σ² + ε) [C]. Empty γ, β: 1 and 0. With <paramref name="relu"/>
    /// (S &gt; 1): y = max(γ·x̂ + β rounded to T, 0), as the ReLU op computes it (T.Max: a NaN stays NaN, −0 becomes +0).
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, bool fast, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!fast) ForwardReference(x, n, c, s, gamma, beta, eps, y, xhat, mean, var, invStd, relu);
        else if (s == 1) BatchNormJob<T>.ForThisThread().Forward(x, n, c, gamma, beta, eps, y, xhat, mean, var, invStd);
        else BatchNormChannelsJob<T>.ForThisThread().Forward(x, n, c, s, gamma, beta, eps, y, xhat, mean, var, invStd, relu);
    }


    /// <summary>The fast forward pass on columns [j0, j0 + w), w ≤ <see cref="Block"/>.</summary>
    internal static void ForwardColumns<T>(ReadOnlySpan<T> x, int n, int c, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, int j0, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            BatchNormFloat.Forward(MemoryMarshal.Cast<T, float>(x), n, c, MemoryMarshal.Cast<T, float>(gamma), MemoryMarshal.Cast<T, float>(beta), eps,
                MemoryMarshal.Cast<T, float>(y), MemoryMarshal.Cast<T, float>(xhat), mean, var, invStd, j0, w);
            return;
        }
        Span<double> r = stackalloc double[w], gw = stackalloc double[w], bw = stackalloc double[w];
        Span<double> mu = mean.Slice(j0, w), s2 = var.Slice(j0, w), inv = invStd.Slice(j0, w);
        mu.Clear(); s2.Clear();
        for (int i = 0; i < n; i++) { Widen(x.Slice(i * c + j0, w), r); TensorPrimitives.Add(mu, r, mu); }
        TensorPrimitives.Divide(mu, n, mu);
        for (int i = 0; i < n; i++)
        {
            Widen(x.Slice(i * c + j0, w), r);
            TensorPrimitives.Subtract(r, mu, r);
            TensorPrimitives.Multiply(r, r, r);
            TensorPrimitives.Add(s2, r, s2);
        }
        for (int j = 0; j < w; j++) { s2[j] /= n; inv[j] = 1.0 / Math.Sqrt(s2[j] + eps); }
        if (gamma.IsEmpty) gw.Fill(1); else Widen(gamma.Slice(j0, w), gw);
        if (beta.IsEmpty) bw.Clear(); else Widen(beta.Slice(j0, w), bw);
        for (int i = 0; i < n; i++)
        {
            Widen(x.Slice(i * c + j0, w), r);
            TensorPrimitives.Subtract(r, mu, r);
            TensorPrimitives.Multiply(r, inv, r);                             // x̂
            Narrow(r, xhat.Slice(i * c + j0, w));
            TensorPrimitives.Multiply(r, gw, r);
            TensorPrimitives.Add(r, bw, r);                                   // γ·x̂ + β
            Narrow(r, y.Slice(i * c + j0, w));
        }
    }

    /// <summary>With given μ and 1/√(σ² + ε) [C]: y = γ·x̂ + β and, when not empty, x̂ [n, C, S] (evaluation mode).</summary>
    public static void Normalize<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool fast, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!fast) NormalizeReference(x, n, c, s, mean, invStd, gamma, beta, y, xhat, relu);
        else BatchNormChannelsJob<T>.ForThisThread().Normalize(x, n, c, s, mean, invStd, gamma, beta, y, xhat, relu);
    }

    /// <summary>
    /// Backward: Σᵢₛ g, Σᵢₛ g·x̂ [C] and, when gx is not empty, ∂L/∂x [n, C, S]. With a gate (the fused ReLU's output,
    /// S &gt; 1), g is taken as g·[gate &gt; 0] throughout: the ReLU's backward pass, folded in.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, bool fast, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!fast) BackwardReference(gy, xhat, n, c, s, gamma, invStd, sumG, sumGH, gx, gate);
        else if (s == 1) BatchNormJob<T>.ForThisThread().Backward(gy, xhat, n, c, gamma, invStd, sumG, sumGH, gx);
        else BatchNormChannelsJob<T>.ForThisThread().Backward(gy, xhat, n, c, s, gamma, invStd, sumG, sumGH, gx, gate);
    }

    /// <summary>The fast backward pass on columns [j0, j0 + w), w ≤ <see cref="Block"/>.</summary>
    internal static void BackwardColumns<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, int j0, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            BatchNormFloat.Backward(MemoryMarshal.Cast<T, float>(gy), MemoryMarshal.Cast<T, float>(xhat), n, c, MemoryMarshal.Cast<T, float>(gamma), invStd,
                sumG, sumGH, MemoryMarshal.Cast<T, float>(gx), j0, w);
            return;
        }
        Span<double> g = stackalloc double[w], h = stackalloc double[w], kw = stackalloc double[w];
        Span<double> sg = sumG.Slice(j0, w), sgh = sumGH.Slice(j0, w);
        sg.Clear(); sgh.Clear();
        for (int i = 0; i < n; i++)
        {
            Widen(gy.Slice(i * c + j0, w), g);
            Widen(xhat.Slice(i * c + j0, w), h);
            TensorPrimitives.Add(sg, g, sg);
            TensorPrimitives.Multiply(g, h, h);
            TensorPrimitives.Add(sgh, h, sgh);
        }
        if (gx.IsEmpty) return;
        for (int j = 0; j < w; j++) kw[j] = (gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j0 + j])) * invStd[j0 + j] / n;
        for (int i = 0; i < n; i++)
        {
            Widen(gy.Slice(i * c + j0, w), g);
            Widen(xhat.Slice(i * c + j0, w), h);
            TensorPrimitives.Multiply(g, (double)n, g);
            TensorPrimitives.Subtract(g, sg, g);
            TensorPrimitives.Multiply(h, sgh, h);
            TensorPrimitives.Subtract(g, h, g);                               // n·g − Σg − x̂·Σgx̂
            TensorPrimitives.Multiply(g, kw, g);
            Narrow(g, gx.Slice(i * c + j0, w));
        }
    }

    private static void ForwardReference<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y,
        Span<T> xhat, Span<double> mu, Span<double> s2, Span<double> invStd, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        mu.Clear(); s2.Clear();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) mu[j] += LaneSum.Reference(x.Slice((i * c + j) * s, s), default, 0, LaneSum.Term.Plain);
        for (int j = 0; j < c; j++) mu[j] /= m;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) s2[j] += LaneSum.Reference(x.Slice((i * c + j) * s, s), default, mu[j], LaneSum.Term.SquaredDeviation);
        for (int j = 0; j < c; j++) { s2[j] /= m; invStd[j] = 1.0 / Math.Sqrt(s2[j] + eps); }
        NormalizeReference(x, n, c, s, mu, invStd, gamma, beta, y, xhat, relu);
    }

    private static void NormalizeReference<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<double> mu, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                for (int t = 0; t < s; t++)
                {
                    int at = (i * c + j) * s + t;
                    double h = (double.CreateTruncating(x[at]) - mu[j]) * invStd[j];
                    double g = gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j]), b = beta.IsEmpty ? 0 : double.CreateTruncating(beta[j]);
                    if (!xhat.IsEmpty) xhat[at] = T.CreateTruncating(h);
                    T v = T.CreateTruncating(g * h + b);
                    y[at] = relu ? T.Max(v, T.Zero) : v;             // the ReLU op's scalar form (Ops.ReluOp)
                }
    }

    private static void BackwardReference<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, ReadOnlySpan<T> gate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        sumG.Clear(); sumGH.Clear();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
            {
                int at = (i * c + j) * s;
                var gate_ = gate.IsEmpty ? default : gate.Slice(at, s);
                sumG[j] += LaneSum.Reference(gy.Slice(at, s), default, 0, LaneSum.Term.Plain, gate_);
                sumGH[j] += LaneSum.Reference(gy.Slice(at, s), xhat.Slice(at, s), 0, LaneSum.Term.Product, gate_);
            }
        if (gx.IsEmpty) return;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
                for (int t = 0; t < s; t++)
                {
                    int at = (i * c + j) * s + t;
                    double k = (gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j])) * invStd[j] / m;
                    double g = gate.IsEmpty || gate[at] > T.Zero ? double.CreateTruncating(gy[at]) : 0;
                    gx[at] = T.CreateTruncating(k * (m * g - sumG[j] - double.CreateTruncating(xhat[at]) * sumGH[j]));
                }
    }

    private static void Widen<T>(ReadOnlySpan<T> from, Span<double> to) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(from).CopyTo(to);
        else TensorPrimitives.ConvertTruncating<T, double>(from, to);
    }

    private static void Narrow<T>(ReadOnlySpan<double> from, Span<T> to) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) from.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(to));
        else TensorPrimitives.ConvertTruncating<double, T>(from, to);
    }
}

/// <summary>The fast batch norm on the worker pool: one part per block of <see cref="BatchNormKernel.Block"/> columns.</summary>
internal sealed unsafe class BatchNormJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static BatchNormJob<T>? _current;
    private T* _x, _gamma, _beta, _y, _xhat, _gy, _gx;
    private double* _mean, _var, _inv, _sumG, _sumGH;
    private int _n, _c, _gammaLength, _betaLength, _gxLength;
    private double _eps;
    private bool _backward;

    public static BatchNormJob<T> ForThisThread() => _current ??= new BatchNormJob<T>();

    public void Forward(ReadOnlySpan<T> x, int n, int c, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd)
    {
        fixed (T* px = x, pg = gamma, pb = beta, py = y, ph = xhat)
        fixed (double* pm = mean, pv = var, pi = invStd)
        {
            _x = px; _gamma = pg; _beta = pb; _y = py; _xhat = ph; _mean = pm; _var = pv; _inv = pi;
            _n = n; _c = c; _gammaLength = gamma.Length; _betaLength = beta.Length; _eps = eps; _backward = false;
            try { WorkerPool.Shared.Run(this, (c + BatchNormKernel.Block - 1) / BatchNormKernel.Block, Threading.MaxThreads); }
            finally { _x = _gamma = _beta = _y = _xhat = null; _mean = _var = _inv = null; }
        }
    }

    public void Backward(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx)
    {
        fixed (T* pgy = gy, ph = xhat, pg = gamma, pgx = gx)
        fixed (double* pi = invStd, psg = sumG, psgh = sumGH)
        {
            _gy = pgy; _xhat = ph; _gamma = pg; _gx = pgx; _inv = pi; _sumG = psg; _sumGH = psgh;
            _n = n; _c = c; _gammaLength = gamma.Length; _gxLength = gx.Length; _backward = true;
            try { WorkerPool.Shared.Run(this, (c + BatchNormKernel.Block - 1) / BatchNormKernel.Block, Threading.MaxThreads); }
            finally { _gy = _xhat = _gamma = _gx = null; _inv = _sumG = _sumGH = null; }
        }
    }

    public void Run(int part)
    {
        int j0 = part * BatchNormKernel.Block, w = Math.Min(BatchNormKernel.Block, _c - j0), len = _n * _c;
        if (!_backward)
            BatchNormKernel.ForwardColumns(new ReadOnlySpan<T>(_x, len), _n, _c, new ReadOnlySpan<T>(_gamma, _gammaLength), new ReadOnlySpan<T>(_beta, _betaLength),
                _eps, new Span<T>(_y, len), new Span<T>(_xhat, len), new Span<double>(_mean, _c), new Span<double>(_var, _c), new Span<double>(_inv, _c), j0, w);
        else
            BatchNormKernel.BackwardColumns(new ReadOnlySpan<T>(_gy, len), new ReadOnlySpan<T>(_xhat, len), _n, _c, new ReadOnlySpan<T>(_gamma, _gammaLength),
                new ReadOnlySpan<double>(_inv, _c), new Span<double>(_sumG, _c), new Span<double>(_sumGH, _c), new Span<T>(_gx, _gxLength), j0, w);
    }
}
