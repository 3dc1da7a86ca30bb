using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// 2-D average pooling of each plane (see <see cref="Pool2dShape"/> for the window), PyTorch's definition:
/// <code>
///   y[p, oh, ow] = (Σ x[p, ih, iw] over the window's cells inside the plane) / d
///   d = KH·KW with count_include_pad (padded cells count as zeros), else the number of cells inside the plane
///   backward:  gx[p, ih, iw] += gy[p, oh, ow] / d   for each window (oh, ow) holding the cell, in row-major order
/// </code>
/// Sums run in float64 down the rows of the window and are rounded once; the backward adds in T (as PyTorch does).
/// The reference walks every cell of the padded window; the fast form clips the window once and runs planes in parallel
/// on the worker pool, visiting cells in the same order: the bits agree for any thread count.
/// </summary>
internal static class AvgPool2dKernel
{
    public static void ForwardReference<T>(ReadOnlySpan<T> x, Pool2dShape s, bool countIncludePad, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0;
                    int inside = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int ih = i * s.SH - s.PH + kh, iw = j * s.SW - s.PW + kw;
                            if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                            sum += double.CreateTruncating(x[(p * s.H + ih) * s.W + iw]);
                            inside++;
                        }
                    y[(p * oh + i) * ow + j] = T.CreateTruncating(sum / (countIncludePad ? s.KH * s.KW : inside));
                }
    }

    public static void BackwardReference<T>(ReadOnlySpan<T> gy, Pool2dShape s, bool countIncludePad, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        gx.Clear();
        int oh = s.OH, ow = s.OW;
        for (int p = 0; p < s.Planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int inside = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int ih = i * s.SH - s.PH + kh, iw = j * s.SW - s.PW + kw;
                            if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W) inside++;
                        }
                    T g = gy[(p * oh + i) * ow + j] / T.CreateTruncating(countIncludePad ? s.KH * s.KW : inside);
                    for (int kh = 0; kh < s.KH; kh++)
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int ih = i * s.SH - s.PH + kh, iw = j * s.SW - s.PW + kw;
                            if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W) gx[(p * s.H + ih) * s.W + iw] += g;
                        }
                }
    }

    /// <summary>The fast forward pass on planes [p0, p1).</summary>
    public static void ForwardPlanes<T>(ReadOnlySpan<T> x, Pool2dShape s, bool countIncludePad, Span<T> y, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW, hw = s.H * s.W;
        for (int p = p0; p < p1; p++)
        {
            var xp = x.Slice(p * hw, hw);
            var yp = y.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * s.SH - s.PH, hs = Math.Max(h0, 0), he = Math.Min(h0 + s.KH, s.H);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * s.SW - s.PW, ws = Math.Max(w0, 0), we = Math.Min(w0 + s.KW, s.W);
                    double sum = 0;
                    for (int ih = hs; ih < he; ih++)
                    {
                        var row = xp.Slice(ih * s.W + ws, we - ws);
                        for (int k = 0; k < row.Length; k++) sum += double.CreateTruncating(row[k]);
                    }
                    yp[i * ow + j] = T.CreateTruncating(sum / (countIncludePad ? s.KH * s.KW : (he - hs) * (we - ws)));
                }
            }
        }
    }

    /// <summary>The fast backward pass on planes [p0, p1).</summary>
    public static void BackwardPlanes<T>(ReadOnlySpan<T> gy, Pool2dShape s, bool countIncludePad, Span<T> gx, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = s.OH, ow = s.OW, hw = s.H * s.W;
        for (int p = p0; p < p1; p++)
        {
            var gxp = gx.Slice(p * hw, hw);
            gxp.Clear();
            var gyp = gy.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                int h0 = i * s.SH - s.PH, hs = Math.Max(h0, 0), he = Math.Min(h0 + s.KH, s.H);
                for (int j = 0; j < ow; j++)
                {
                    int w0 = j * s.SW - s.PW, ws = Math.Max(w0, 0), we = Math.Min(w0 + s.KW, s.W);
                    T g = gyp[i * ow + j] / T.CreateTruncating(countIncludePad ? s.KH * s.KW : (he - hs) * (we - ws));
                    for (int ih = hs; ih < he; ih++)
                    {
                        var row = gxp.Slice(ih * s.W + ws, we - ws);
                        for (int k = 0; k < row.Length; k++) row[k] += g;
                    }
                }
            }
        }
    }
}
