using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Descent.Kernels;

/// <summary>
/// The fast batch norm of x [n, C, S] with S &gt; 1 (a feature map: S = H·W), per channel over its n·S values — the
/// formulas of <see cref="BatchNormKernel"/> with m = n·S. A channel's values are n runs of S contiguous elements.
/// The sums run in float64 in the reference's order: each run of S values in eight lanes (<see cref="LaneSum"/>), the
/// runs added in sample order; the groups of four channels are split over the worker pool. The elementwise passes are
/// vectorized with the reference's float64 operations (no FMA contraction). So the bits are the reference's, for any
/// thread count. A ReLU after the batch norm can be folded in: written by the normalize pass, and its backward mask
/// (g where the output is positive) applied inside the sums and the input-gradient pass.
/// </summary>
internal static class BatchNormChannels
{
    /// <summary>Channels summed side by side (one part of the parallel job).</summary>
    internal const int Group = 4;

    /// <summary>The forward pass on channels [j0, j0 + w), w ≤ <see cref="Group"/>.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, int j0, int w, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        Span<double> mu = stackalloc double[Group];
        Sums(x, x, n, c, s, j0, w, default, mu, default);
        for (int k = 0; k < w; k++) mean[j0 + k] = mu[k] /= m;
        Span<double> s2 = stackalloc double[Group];
        Sums(x, x, n, c, s, j0, w, mu, s2, default);
        for (int k = 0; k < w; k++)
        {
            var[j0 + k] = s2[k] /= m;
            invStd[j0 + k] = 1.0 / Math.Sqrt(s2[k] + eps);
        }
        Normalize(x, n, c, s, mean, invStd, gamma, beta, y, xhat, j0, w, relu);
    }

    /// <summary>
    /// x̂ = (x − μ)·(1/σ), y = γ·x̂ + β on channels [j0, j0 + w) with the given μ, 1/σ [C] (the last pass of the forward, and
    /// the whole of evaluation mode); x̂ is not written when empty.
    /// </summary>
    public static void Normalize<T>(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, int j0, int w, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < w; k++)
        {
            int j = j0 + k;
            double g = gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j]), b = beta.IsEmpty ? 0 : double.CreateTruncating(beta[j]);
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + j) * s;
                Normalize(x.Slice(at, s), mean[j], invStd[j], g, b, xhat.IsEmpty ? default : xhat.Slice(at, s), y.Slice(at, s), relu);
            }
        }
    }

    /// <summary>The backward pass on channels [j0, j0 + w), w ≤ <see cref="Group"/>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, int j0, int w, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> sg = stackalloc double[Group], sgh = stackalloc double[Group];
        Sums(gy, default, n, c, s, j0, w, default, sg, default, gate);
        Sums(gy, xhat, n, c, s, j0, w, default, default, sgh, gate);
        for (int k = 0; k < w; k++) { sumG[j0 + k] = sg[k]; sumGH[j0 + k] = sgh[k]; }
        if (gx.IsEmpty) return;
        double m = (double)n * s;
        for (int k = 0; k < w; k++)
        {
            int j = j0 + k;
            double kj = (gamma.IsEmpty ? 1 : double.CreateTruncating(gamma[j])) * invStd[j] / m;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + j) * s;
                InputGradient(gy.Slice(at, s), xhat.Slice(at, s), kj, m, sg[k], sgh[k], gx.Slice(at, s), gate.IsEmpty ? default : gate.Slice(at, s));
            }
        }
    }

    /// <summary>
    /// Per channel k of the group: Σᵢ (in sample order) of the run's <see cref="LaneSum"/> — Σ a (into plain), Σ (a − μₖ)²
    /// (into squares, when μ is given), or Σ a·b (into products).
    /// </summary>
    private static void Sums<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int n, int c, int s, int j0, int w, ReadOnlySpan<double> mu,
        Span<double> plainOrSquares, Span<double> products, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool squares = !mu.IsEmpty, product = !products.IsEmpty;
        var into = product ? products : plainOrSquares;
        var term = product ? LaneSum.Term.Product : squares ? LaneSum.Term.SquaredDeviation : LaneSum.Term.Plain;
        for (int k = 0; k < w; k++)
        {
            double sum = 0, m = squares ? mu[k] : 0;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + j0 + k) * s;
                sum += LaneSum.Fast(a.Slice(at, s), product ? b.Slice(at, s) : default, m, term, gate.IsEmpty ? default : gate.Slice(at, s));
            }
            into[k] = sum;
        }
    }

    private static double D<T>(T v) where T : unmanaged, IFloatingPointIeee754<T> => double.CreateTruncating(v);

    /// <summary>x̂ = (x − μ)·(1/σ), y = γ·x̂ + β over one run, in float64, each rounded once to T (x̂ skipped when empty).</summary>
    private static void Normalize<T>(ReadOnlySpan<T> x, double mu, double inv, double g, double b, Span<T> xhat, Span<T> y, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            var xf = MemoryMarshal.Cast<T, float>(x); var hf = MemoryMarshal.Cast<T, float>(xhat); var yf = MemoryMarshal.Cast<T, float>(y);
            Vector<double> vm = new(mu), vi = new(inv), vg = new(g), vb = new(b);
            for (; t <= xf.Length - Vector<float>.Count; t += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(xf[t..]), out var lo, out var hi);
                var hl = (lo - vm) * vi; var hh = (hi - vm) * vi;
                if (!hf.IsEmpty) Vector.Narrow(hl, hh).CopyTo(hf[t..]);
                var yv = Vector.Narrow(vg * hl + vb, vg * hh + vb);
                yv.CopyTo(yf[t..]);
            }
        }
        else if (typeof(T) == typeof(double) && Vector.IsHardwareAccelerated)
        {
            var xd = MemoryMarshal.Cast<T, double>(x); var hd = MemoryMarshal.Cast<T, double>(xhat); var yd = MemoryMarshal.Cast<T, double>(y);
            Vector<double> vm = new(mu), vi = new(inv), vg = new(g), vb = new(b);
            for (; t <= xd.Length - Vector<double>.Count; t += Vector<double>.Count)
            {
                var h = (new Vector<double>(xd[t..]) - vm) * vi;
                if (!hd.IsEmpty) h.CopyTo(hd[t..]);
                var yv = vg * h + vb;
                yv.CopyTo(yd[t..]);
            }
        }
        for (; t < x.Length; t++)
        {
            double h = (D(x[t]) - mu) * inv;
            if (!xhat.IsEmpty) xhat[t] = T.CreateTruncating(h);
            y[t] = T.CreateTruncating(g * h + b);
        }
        if (relu) TensorPrimitives.Max(y, T.Zero, y);   // the ReLU op's own kernel (Ops.ReluOp), on the run while it is in L1
    }

    /// <summary>∂L/∂x = k·(m·g − Σg − x̂·Σgx̂) over one run, in float64, rounded once to T.</summary>
    private static void InputGradient<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, double k, double m, double sg, double sgh, Span<T> gx, ReadOnlySpan<T> gate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = 0;
        bool gated = !gate.IsEmpty;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            var gf = MemoryMarshal.Cast<T, float>(gy); var hf = MemoryMarshal.Cast<T, float>(xhat); var xf = MemoryMarshal.Cast<T, float>(gx);
            Vector<double> vk = new(k), vm = new(m), vs = new(sg), vsh = new(sgh);
            for (; t <= gf.Length - Vector<float>.Count; t += Vector<float>.Count)
            {
                var gv = new Vector<float>(gf[t..]);
                if (gated) gv = Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(MemoryMarshal.Cast<T, float>(gate)[t..]), Vector<float>.Zero), gv, Vector<float>.Zero);
                Vector.Widen(gv, out var gl, out var gh);
                Vector.Widen(new Vector<float>(hf[t..]), out var hl, out var hh);
                Vector.Narrow(vk * (vm * gl - vs - hl * vsh), vk * (vm * gh - vs - hh * vsh)).CopyTo(xf[t..]);
            }
        }
        else if (typeof(T) == typeof(double) && Vector.IsHardwareAccelerated)
        {
            var gd = MemoryMarshal.Cast<T, double>(gy); var hd = MemoryMarshal.Cast<T, double>(xhat); var xd = MemoryMarshal.Cast<T, double>(gx);
            Vector<double> vk = new(k), vm = new(m), vs = new(sg), vsh = new(sgh);
            for (; t <= gd.Length - Vector<double>.Count; t += Vector<double>.Count)
            {
                var gv = new Vector<double>(gd[t..]);
                if (gated) gv = Vector.ConditionalSelect(Vector.GreaterThan(new Vector<double>(MemoryMarshal.Cast<T, double>(gate)[t..]), Vector<double>.Zero), gv, Vector<double>.Zero);
                (vk * (vm * gv - vs - new Vector<double>(hd[t..]) * vsh)).CopyTo(xd[t..]);
            }
        }
        for (; t < gy.Length; t++) gx[t] = T.CreateTruncating(k * (m * (gated && !(gate[t] > T.Zero) ? 0 : D(gy[t])) - sg - D(xhat[t]) * sgh));
    }
}

/// <summary>The fast batch norm of [n, C, S] on the worker pool: one part per group of <see cref="BatchNormChannels.Group"/> channels.</summary>
internal sealed unsafe class BatchNormChannelsJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static BatchNormChannelsJob<T>? _current;
    private T* _x, _gamma, _beta, _y, _xhat, _gy, _gx, _gate, _scale, _shift;
    private bool _relu;
    private double* _mean, _var, _inv, _sumG, _sumGH;
    private int _n, _c, _s, _gammaLength, _betaLength, _gxLength;
    private double _eps;
    private int _mode;   // 0 forward, 1 backward, 2 normalize with given statistics, 3 the folded affine map

    public static BatchNormChannelsJob<T> ForThisThread() => _current ??= new BatchNormChannelsJob<T>();

    private static int Parts(int c) => (c + BatchNormChannels.Group - 1) / BatchNormChannels.Group;

    private static int Threads(int length) => length < 16 * 1024 ? 1 : Threading.MaxThreads;

    public void Forward(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, bool relu = false)
    {
        fixed (T* px = x, pg = gamma, pb = beta, py = y, ph = xhat)
        fixed (double* pm = mean, pv = var, pi = invStd)
        {
            _x = px; _gamma = pg; _beta = pb; _y = py; _xhat = ph; _mean = pm; _var = pv; _inv = pi; _relu = relu;
            _n = n; _c = c; _s = s; _gammaLength = gamma.Length; _betaLength = beta.Length; _eps = eps; _mode = 0;
            try { WorkerPool.Shared.Run(this, Parts(c), Threads(x.Length)); }
            finally { _x = _gamma = _beta = _y = _xhat = null; _mean = _var = _inv = null; _relu = false; }
        }
    }

    public void Backward(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int s, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, ReadOnlySpan<T> gate = default)
    {
        fixed (T* pgy = gy, ph = xhat, pg = gamma, pgx = gx, pgate = gate)
        fixed (double* pi = invStd, psg = sumG, psgh = sumGH)
        {
            _gy = pgy; _xhat = ph; _gamma = pg; _gx = pgx; _inv = pi; _sumG = psg; _sumGH = psgh; _gate = gate.IsEmpty ? null : pgate;
            _n = n; _c = c; _s = s; _gammaLength = gamma.Length; _gxLength = gx.Length; _mode = 1;
            try { WorkerPool.Shared.Run(this, Parts(c), Threads(gy.Length)); }
            finally { _gy = _xhat = _gamma = _gx = _gate = null; _inv = _sumG = _sumGH = null; }
        }
    }

    public void Normalize(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool relu = false)
    {
        fixed (T* px = x, pg = gamma, pb = beta, py = y, ph = xhat)
        fixed (double* pm = mean, pi = invStd)
        {
            _x = px; _gamma = pg; _beta = pb; _y = py; _xhat = ph; _mean = pm; _inv = pi; _relu = relu;
            _n = n; _c = c; _s = s; _gammaLength = gamma.Length; _betaLength = beta.Length; _gxLength = xhat.Length; _mode = 2;
            try { WorkerPool.Shared.Run(this, Parts(c), Threads(x.Length)); }
            finally { _x = _gamma = _beta = _y = _xhat = null; _mean = _inv = null; _relu = false; }
        }
    }

    /// <summary><see cref="ChannelAffine.Apply{T}"/> over groups of channels on the worker pool.</summary>
    public void Affine(ReadOnlySpan<T> x, int n, int c, int s, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, bool relu)
    {
        fixed (T* px = x, pa = scale, pb = shift, py = y)
        {
            _x = px; _scale = pa; _shift = pb; _y = py; _relu = relu;
            _n = n; _c = c; _s = s; _mode = 3;
            try { WorkerPool.Shared.Run(this, Parts(c), Threads(x.Length)); }
            finally { _x = _scale = _shift = _y = null; _relu = false; }
        }
    }

    public void Run(int part)
    {
        int j0 = part * BatchNormChannels.Group, w = Math.Min(BatchNormChannels.Group, _c - j0), len = _n * _c * _s;
        if (_mode == 3)
            ChannelAffine.Apply(new ReadOnlySpan<T>(_x, len), _n, _c, _s, new ReadOnlySpan<T>(_scale, _c), new ReadOnlySpan<T>(_shift, _c), new Span<T>(_y, len),
                _relu, fast: true, j0, w);
        else if (_mode == 2)
            BatchNormChannels.Normalize(new ReadOnlySpan<T>(_x, len), _n, _c, _s, new ReadOnlySpan<double>(_mean, _c), new ReadOnlySpan<double>(_inv, _c),
                new ReadOnlySpan<T>(_gamma, _gammaLength), new ReadOnlySpan<T>(_beta, _betaLength), new Span<T>(_y, len), new Span<T>(_xhat, _gxLength), j0, w, _relu);
        else if (_mode == 0)
            BatchNormChannels.Forward(new ReadOnlySpan<T>(_x, len), _n, _c, _s, new ReadOnlySpan<T>(_gamma, _gammaLength), new ReadOnlySpan<T>(_beta, _betaLength),
                _eps, new Span<T>(_y, len), new Span<T>(_xhat, len), new Span<double>(_mean, _c), new Span<double>(_var, _c), new Span<double>(_inv, _c), j0, w, _relu);
        else
            BatchNormChannels.Backward(new ReadOnlySpan<T>(_gy, len), new ReadOnlySpan<T>(_xhat, len), _n, _c, _s, new ReadOnlySpan<T>(_gamma, _gammaLength),
                new ReadOnlySpan<double>(_inv, _c), new Span<double>(_sumG, _c), new Span<double>(_sumGH, _c), new Span<T>(_gx, _gxLength), j0, w,
                _gate == null ? default : new ReadOnlySpan<T>(_gate, len));
    }
}
