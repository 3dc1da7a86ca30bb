using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// Adaptive 2-D average pooling of planes [H, W] to [OH, OW], PyTorch's bins:
/// <code>
///   rows of bin i:  [⌊i·H/OH⌋, ⌈(i + 1)·H/OH⌉),   columns of bin j:  [⌊j·W/OW⌋, ⌈(j + 1)·W/OW⌉)
///   y[p, i, j] = mean of x[p] over the bin (summed in float64 down its rows, rounded once)
///   backward:  gx[p, ih, iw] += gy[p, i, j] / |bin|   for each bin holding the cell, in row-major bin order
/// </code>
/// Global average pooling is OH = OW = 1. The fast form is the same loops on planes split over the worker pool.
/// </summary>
internal static class AdaptiveAvgPool2dKernel
{
    /// <summary>Bin i of n over a length: [⌊i·length/n⌋, ⌈(i + 1)·length/n⌉).</summary>
    public static (int Start, int End) Bin(int i, int n, int length) => (i * length / n, ((i + 1) * length + n - 1) / n);

    public static void ForwardReference<T>(ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    var (hs, he) = Bin(i, oh, h);
                    var (ws, we) = Bin(j, ow, w);
                    double sum = 0;
                    for (int ih = hs; ih < he; ih++)
                        for (int iw = ws; iw < we; iw++) sum += double.CreateTruncating(x[(p * h + ih) * w + iw]);
                    y[(p * oh + i) * ow + j] = T.CreateTruncating(sum / ((he - hs) * (we - ws)));
                }
    }

    public static void BackwardReference<T>(ReadOnlySpan<T> gy, int planes, int h, int w, int oh, int ow, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        gx.Clear();
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    var (hs, he) = Bin(i, oh, h);
                    var (ws, we) = Bin(j, ow, w);
                    T g = gy[(p * oh + i) * ow + j] / T.CreateTruncating((he - hs) * (we - ws));
                    for (int ih = hs; ih < he; ih++)
                        for (int iw = ws; iw < we; iw++) gx[(p * h + ih) * w + iw] += g;
                }
    }

    /// <summary>The fast forward pass on planes [p0, p1).</summary>
    public static void ForwardPlanes<T>(ReadOnlySpan<T> x, int h, int w, int oh, int ow, Span<T> y, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = p0; p < p1; p++)
        {
            var xp = x.Slice(p * h * w, h * w);
            var yp = y.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                var (hs, he) = Bin(i, oh, h);
                for (int j = 0; j < ow; j++)
                {
                    var (ws, we) = Bin(j, ow, w);
                    double sum = 0;
                    for (int ih = hs; ih < he; ih++)
                    {
                        var row = xp.Slice(ih * w + ws, we - ws);
                        for (int k = 0; k < row.Length; k++) sum += double.CreateTruncating(row[k]);
                    }
                    yp[i * ow + j] = T.CreateTruncating(sum / ((he - hs) * (we - ws)));
                }
            }
        }
    }

    /// <summary>The fast backward pass on planes [p0, p1).</summary>
    public static void BackwardPlanes<T>(ReadOnlySpan<T> gy, int h, int w, int oh, int ow, Span<T> gx, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = p0; p < p1; p++)
        {
            var gxp = gx.Slice(p * h * w, h * w);
            gxp.Clear();
            var gyp = gy.Slice(p * oh * ow, oh * ow);
            for (int i = 0; i < oh; i++)
            {
                var (hs, he) = Bin(i, oh, h);
                for (int j = 0; j < ow; j++)
                {
                    var (ws, we) = Bin(j, ow, w);
                    T g = gyp[i * ow + j] / T.CreateTruncating((he - hs) * (we - ws));
                    for (int ih = hs; ih < he; ih++)
                    {
                        var row = gxp.Slice(ih * w + ws, we - ws);
                        for (int k = 0; k < row.Length; k++) row[k] += g;
                    }
                }
            }
        }
    }
}
