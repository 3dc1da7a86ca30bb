using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// 2-D max pooling of each plane (see <see cref="Pool2dShape"/> for the window), PyTorch's definition:
/// <code>
///   y[p, oh, ow] = max over the window's cells inside the plane of x[p, ih, iw]   (padded cells are −∞: never chosen)
///   argmax[p, oh, ow] = ih·W + iw of that cell, the first in row-major order on ties; a NaN wins (the last NaN)
///   backward:  gx[p, argmax[p, oh, ow]] += gy[p, oh, ow]   over (oh, ow) in row-major order
/// </code>
/// The reference walks every cell of the padded window and skips the padding; the fast form clips the window once and
/// runs planes in parallel on the worker pool. Both visit the cells of a plane in the same order, so the bits agree
/// for any thread count (a plane is computed by one thread).
/// </summary>
internal static class MaxPool2dKernel
{
    public static void ForwardReference<T>(ReadOnlySpan<T> x, Pool2dShape s, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int h0 = i * s.SH - s.PH, w0 = j * s.SW - s.PW;
                    T best = T.NegativeInfinity;
                    int at = Math.Max(h0, 0) * s.W + Math.Max(w0, 0);     // the first cell inside the plane
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int ih = h0 + kh, iw = w0 + kw;
                            if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;   // padding: −∞
                            T v = x[(p * s.H + ih) * s.W + iw];
                            if (v > best || T.IsNaN(v)) { best = v; at = ih * s.W + iw; }
                        }
                    y[(p * oh + i) * ow + j] = best;
                    if (!argmax.IsEmpty) argmax[(p * oh + i) * ow + j] = at;
                }
    }

    public static void BackwardReference<T>(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape s, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        gx.Clear();
        int plane = s.OH * s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int o = 0; o < plane; o++)
                gx[p * s.H * s.W + argmax[p * plane + o]] += gy[p * plane + o];
    }

    /// <summary>The fast forward pass on planes [p0, p1).</summary>
    public static void ForwardPlanes<T>(ReadOnlySpan<T> x, Pool2dShape s, Span<T> y, Span<int> argmax, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW, hw = s.H * s.W;
        if (s is { KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0 }) { Forward2x2(x, s, y, argmax, p0, p1); return; }
        for (int p = p0; p < p1; p++)
        {
            var xp = x.Slice(p * hw, hw);
            var yp = y.Slice(p * oh * ow, oh * ow);
            var ap = argmax.IsEmpty ? default : argmax.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * s.SH - s.PH, hs = Math.Max(h0, 0), he = Math.Min(h0 + s.KH, s.H);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * s.SW - s.PW, ws = Math.Max(w0, 0), we = Math.Min(w0 + s.KW, s.W);
                    T best = T.NegativeInfinity;
                    int at = hs * s.W + ws;
                    for (int ih = hs; ih < he; ih++)
                    {
                        var row = xp.Slice(ih * s.W + ws, we - ws);
                        for (int k = 0; k < row.Length; k++)
                            if (row[k] > best || T.IsNaN(row[k])) { best = row[k]; at = ih * s.W + ws + k; }
                    }
                    yp[i * ow + j] = best;
                    if (!ap.IsEmpty) ap[i * ow + j] = at;
                }
            }
        }
    }

    /// <summary>
    /// The common 2 × 2 window with stride 2 and no padding: the four cells in the same order as the general loop
    /// (top left, top right, bottom left, bottom right), with no window bookkeeping.
    /// </summary>
    private static void Forward2x2<T>(ReadOnlySpan<T> x, Pool2dShape s, Span<T> y, Span<int> argmax, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW, w = s.W, hw = s.H * w;
        for (int p = p0; p < p1; p++)
        {
            var xp = x.Slice(p * hw, hw);
            var yp = y.Slice(p * oh * ow, oh * ow);
            var ap = argmax.IsEmpty ? default : argmax.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int top = 2 * i * w;
                var r0 = xp.Slice(top, 2 * ow);
                var r1 = xp.Slice(top + w, 2 * ow);
                var yr = yp.Slice(i * ow, ow);
                var ar = ap.IsEmpty ? default : ap.Slice(i * ow, ow);
                int j = 0;
                if (typeof(T) == typeof(float) && Sse.IsSupported && ow >= 4)
                {
                    ReadOnlySpan<float> f0 = MemoryMarshal.Cast<T, float>(r0), f1 = MemoryMarshal.Cast<T, float>(r1);
                    var fy = MemoryMarshal.Cast<T, float>(yr);
                    if (Avx2.IsSupported && ow >= 8)
                    {
                        for (; j + 8 <= ow; j += 8) Windows8(f0, f1, fy, ar, top, w, j);
                        if (j < ow) Windows8(f0, f1, fy, ar, top, w, ow - 8);        // the last 8 again, overlapping: the same values
                    }
                    else
                    {
                        for (; j + 4 <= ow; j += 4) Windows4(f0, f1, fy, ar, top, w, j);
                        if (j < ow) Windows4(f0, f1, fy, ar, top, w, ow - 4);
                    }
                    j = ow;
                }
                for (; j < yr.Length; j++)
                {
                    int at = top + 2 * j;
                    T best = r0[2 * j];                                        // the general loop's first step from −∞
                    if (r0[2 * j + 1] > best || T.IsNaN(r0[2 * j + 1])) { best = r0[2 * j + 1]; at = top + 2 * j + 1; }
                    if (r1[2 * j] > best || T.IsNaN(r1[2 * j])) { best = r1[2 * j]; at = top + w + 2 * j; }
                    if (r1[2 * j + 1] > best || T.IsNaN(r1[2 * j + 1])) { best = r1[2 * j + 1]; at = top + w + 2 * j + 1; }
                    yr[j] = best;
                    if (!ar.IsEmpty) ar[j] = at;
                }
            }
        }
    }

    /// <summary>
    /// Windows [j, j + 4) of one output row in 4 lanes: the four cells of each window deinterleaved into a, b, c, d
    /// (top left, top right, bottom left, bottom right) and chosen in that order by the scalar rule, lane by lane
    /// (x wins when x &gt; best or x is NaN), with no branch to mispredict: the same values and argmax as the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Windows4(ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, Span<float> y, Span<int> argmax, int top, int w, int j)
    {
        Vector128<float> t0 = Vector128.Create(r0.Slice(2 * j, 4)), t1 = Vector128.Create(r0.Slice(2 * j + 4, 4));
        Vector128<float> u0 = Vector128.Create(r1.Slice(2 * j, 4)), u1 = Vector128.Create(r1.Slice(2 * j + 4, 4));
        Vector128<float> a = Sse.Shuffle(t0, t1, 0x88), b = Sse.Shuffle(t0, t1, 0xDD), c = Sse.Shuffle(u0, u1, 0x88), d = Sse.Shuffle(u0, u1, 0xDD);
        var at = Vector128.Create(top + 2 * j) + Vector128.Create(0, 2, 4, 6);
        var best = a;
        var off = Vector128<int>.Zero;
        Choose(ref best, ref off, b, Vector128.Create(1));
        Choose(ref best, ref off, c, Vector128.Create(w));
        Choose(ref best, ref off, d, Vector128.Create(w + 1));
        best.CopyTo(y.Slice(j, 4));
        if (!argmax.IsEmpty) (at + off).CopyTo(argmax.Slice(j, 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Choose(ref Vector128<float> best, ref Vector128<int> off, Vector128<float> x, Vector128<int> xOff)
    {
        var wins = Vector128.GreaterThan(x, best) | ~Vector128.Equals(x, x);
        best = Vector128.ConditionalSelect(wins, x, best);
        off = Vector128.ConditionalSelect(wins.AsInt32(), xOff, off);
    }

    /// <summary>Windows [j, j + 8) of one output row, as <see cref="Windows4"/> in 8 lanes (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Windows8(ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, Span<float> y, Span<int> argmax, int top, int w, int j)
    {
        Vector256<float> t0 = Vector256.Create(r0.Slice(2 * j, 8)), t1 = Vector256.Create(r0.Slice(2 * j + 8, 8));
        Vector256<float> u0 = Vector256.Create(r1.Slice(2 * j, 8)), u1 = Vector256.Create(r1.Slice(2 * j + 8, 8));
        // Shuffle works within 128-bit halves: lanes come out as windows 0 1 4 5 2 3 6 7; Permute4x64 puts them in order.
        Vector256<float> a = Order(Avx.Shuffle(t0, t1, 0x88)), b = Order(Avx.Shuffle(t0, t1, 0xDD));
        Vector256<float> c = Order(Avx.Shuffle(u0, u1, 0x88)), d = Order(Avx.Shuffle(u0, u1, 0xDD));
        var at = Vector256.Create(top + 2 * j) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        var best = a;
        var off = Vector256<int>.Zero;
        Choose(ref best, ref off, b, Vector256.Create(1));
        Choose(ref best, ref off, c, Vector256.Create(w));
        Choose(ref best, ref off, d, Vector256.Create(w + 1));
        best.CopyTo(y.Slice(j, 8));
        if (!argmax.IsEmpty) (at + off).CopyTo(argmax.Slice(j, 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Order(Vector256<float> v) => Avx2.Permute4x64(v.AsDouble(), 0b11_01_10_00).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Choose(ref Vector256<float> best, ref Vector256<int> off, Vector256<float> x, Vector256<int> xOff)
    {
        var wins = Vector256.GreaterThan(x, best) | ~Vector256.Equals(x, x);
        best = Vector256.ConditionalSelect(wins, x, best);
        off = Vector256.ConditionalSelect(wins.AsInt32(), xOff, off);
    }

    /// <summary>The fast backward pass on planes [p0, p1).</summary>
    public static void BackwardPlanes<T>(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape s, Span<T> gx, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = s.OH * s.OW, hw = s.H * s.W;
        for (int p = p0; p < p1; p++)
        {
            var gxp = gx.Slice(p * hw, hw);
            gxp.Clear();
            var gyp = gy.Slice(p * plane, plane);
            var ap = argmax.Slice(p * plane, plane);
            for (int o = 0; o < gyp.Length; o++) gxp[ap[o]] += gyp[o];
        }
    }
}
