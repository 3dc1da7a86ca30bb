using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The fast batch norm of float32 columns [j0, j0 + w): each row's pass widens 2·<c>Vector&lt;double&gt;.Count</c> floats at
/// a time and does the reference's float64 operations in one loop (no FMA contraction: the same roundings, the same bits).
/// </summary>
internal static class BatchNormFloat
{
    private static int Lanes => Vector<float>.Count;

    public static void Forward(ReadOnlySpan<float> x, int n, int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, double eps,
        Span<float> y, Span<float> xhat, Span<double> mean, Span<double> var, Span<double> invStd, int j0, int w)
    {
        var mu = mean.Slice(j0, w); var s2 = var.Slice(j0, w); var inv = invStd.Slice(j0, w);
        mu.Clear(); s2.Clear();
        int v = w - w % Lanes, half = Vector<double>.Count;
        for (int i = 0; i < n; i++)
        {
            var xr = x.Slice(i * c + j0, w);
            int j = 0;
            for (; j < v; j += Lanes)
            {
                Vector.Widen(new Vector<float>(xr[j..]), out var lo, out var hi);
                (new Vector<double>(mu[j..]) + lo).CopyTo(mu[j..]);
                (new Vector<double>(mu[(j + half)..]) + hi).CopyTo(mu[(j + half)..]);
            }
            for (; j < w; j++) mu[j] += xr[j];
        }
        for (int j = 0; j < w; j++) mu[j] /= n;
        for (int i = 0; i < n; i++)
        {
            var xr = x.Slice(i * c + j0, w);
            int j = 0;
            for (; j < v; j += Lanes)
            {
                Vector.Widen(new Vector<float>(xr[j..]), out var lo, out var hi);
                var dl = lo - new Vector<double>(mu[j..]); var dh = hi - new Vector<double>(mu[(j + half)..]);
                (new Vector<double>(s2[j..]) + dl * dl).CopyTo(s2[j..]);
                (new Vector<double>(s2[(j + half)..]) + dh * dh).CopyTo(s2[(j + half)..]);
            }
            for (; j < w; j++) { double d = xr[j] - mu[j]; s2[j] += d * d; }
        }
        for (int j = 0; j < w; j++) { s2[j] /= n; inv[j] = 1.0 / Math.Sqrt(s2[j] + eps); }
        Span<double> gw = stackalloc double[w], bw = stackalloc double[w];
        for (int j = 0; j < w; j++) { gw[j] = gamma.IsEmpty ? 1 : gamma[j0 + j]; bw[j] = beta.IsEmpty ? 0 : beta[j0 + j]; }
        for (int i = 0; i < n; i++)
        {
            var xr = x.Slice(i * c + j0, w); var hr = xhat.Slice(i * c + j0, w); var yr = y.Slice(i * c + j0, w);
            int j = 0;
            for (; j < v; j += Lanes)
            {
                Vector.Widen(new Vector<float>(xr[j..]), out var lo, out var hi);
                var hl = (lo - new Vector<double>(mu[j..])) * new Vector<double>(inv[j..]);
                var hh = (hi - new Vector<double>(mu[(j + half)..])) * new Vector<double>(inv[(j + half)..]);
                Vector.Narrow(hl, hh).CopyTo(hr[j..]);
                Vector.Narrow(new Vector<double>(gw[j..]) * hl + new Vector<double>(bw[j..]),
                    new Vector<double>(gw[(j + half)..]) * hh + new Vector<double>(bw[(j + half)..])).CopyTo(yr[j..]);
            }
            for (; j < w; j++)
            {
                double h = (xr[j] - mu[j]) * inv[j];
                hr[j] = (float)h;
                yr[j] = (float)(gw[j] * h + bw[j]);
            }
        }
    }

    public static void Backward(ReadOnlySpan<float> gy, ReadOnlySpan<float> xhat, int n, int c, ReadOnlySpan<float> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<float> gx, int j0, int w)
    {
        var sg = sumG.Slice(j0, w); var sgh = sumGH.Slice(j0, w);
        sg.Clear(); sgh.Clear();
        int v = w - w % Lanes, half = Vector<double>.Count;
        for (int i = 0; i < n; i++)
        {
            var gr = gy.Slice(i * c + j0, w); var hr = xhat.Slice(i * c + j0, w);
            int j = 0;
            for (; j < v; j += Lanes)
            {
                Vector.Widen(new Vector<float>(gr[j..]), out var gl, out var gh);
                Vector.Widen(new Vector<float>(hr[j..]), out var hl, out var hh);
                (new Vector<double>(sg[j..]) + gl).CopyTo(sg[j..]);
                (new Vector<double>(sg[(j + half)..]) + gh).CopyTo(sg[(j + half)..]);
                (new Vector<double>(sgh[j..]) + gl * hl).CopyTo(sgh[j..]);
                (new Vector<double>(sgh[(j + half)..]) + gh * hh).CopyTo(sgh[(j + half)..]);
            }
            for (; j < w; j++) { double g = gr[j]; sg[j] += g; sgh[j] += g * (double)hr[j]; }
        }
        if (gx.IsEmpty) return;
        Span<double> k = stackalloc double[w];
        for (int j = 0; j < w; j++) k[j] = (gamma.IsEmpty ? 1 : (double)gamma[j0 + j]) * invStd[j0 + j] / n;
        var nv = new Vector<double>((double)n);
        for (int i = 0; i < n; i++)
        {
            var gr = gy.Slice(i * c + j0, w); var hr = xhat.Slice(i * c + j0, w); var xr = gx.Slice(i * c + j0, w);
            int j = 0;
            for (; j < v; j += Lanes)
            {
                Vector.Widen(new Vector<float>(gr[j..]), out var gl, out var gh);
                Vector.Widen(new Vector<float>(hr[j..]), out var hl, out var hh);
                var tl = nv * gl - new Vector<double>(sg[j..]) - hl * new Vector<double>(sgh[j..]);
                var th = nv * gh - new Vector<double>(sg[(j + half)..]) - hh * new Vector<double>(sgh[(j + half)..]);
                Vector.Narrow(new Vector<double>(k[j..]) * tl, new Vector<double>(k[(j + half)..]) * th).CopyTo(xr[j..]);
            }
            for (; j < w; j++) xr[j] = (float)(k[j] * (n * (double)gr[j] - sg[j] - (double)hr[j] * sgh[j]));
        }
    }
}
