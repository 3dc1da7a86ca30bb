using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// im2col and its adjoint col2im (Caffe's names; Chellapilla et al. 2006): the receptive fields of one sample and group
/// laid out as the columns of a matrix, so that a convolution becomes one GEMM.
/// <code>
///   col[(c·kh + u)·kw + v, i·Wout + j] = x[c0 + c, i·sh − ph + u·dh, j·sw − pw + v·dw]   (0 outside the image)
///   col  [Cg·kh·kw, Hout·Wout],   x of one sample [Cin, H, W],   Cg = Cin/groups
/// </code>
/// col2im adds each column entry back where it was read from (a sum over the kernel taps that saw a pixel, in the
/// order (c, u, v, i, j): fixed by the shapes alone). Stride-1 rows are copied and added as contiguous runs.
/// </summary>
internal static class Im2Col
{
    /// <summary>col ← im2col of channels [c0, c0 + Cg) of one sample x [Cin, H, W]; col's rows lie <paramref name="rowStride"/> apart (0: packed, Hout·Wout).</summary>
    public static void Gather<T>(ReadOnlySpan<T> x, int c0, in Conv2dGeometry g, Span<T> col, int rowStride = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo, hw = g.Height * g.Width, ld = rowStride == 0 ? plane : rowStride;
        for (int c = 0; c < g.GroupIn; c++)
        {
            var image = x.Slice((c0 + c) * hw, hw);                                         // [H, W]
            for (int u = 0; u < g.KernelH; u++)
                for (int v = 0; v < g.KernelW; v++)
                {
                    var row = col.Slice(((c * g.KernelH + u) * g.KernelW + v) * ld, plane);      // [Hout, Wout]
                    int q0 = v * g.DilationW - g.PadW;                                        // input column of j = 0
                    var (lo, hi) = Inside(q0, g.StrideW, g.Width, wo);
                    if (Shifts(g) && lo < hi) { GatherShifted(image, u * g.DilationH - g.PadH, q0, lo, hi, g, row); continue; }
                    for (int i = 0; i < ho; i++)
                    {
                        int r = i * g.StrideH - g.PadH + u * g.DilationH;
                        var dst = row.Slice(i * wo, wo);
                        if ((uint)r >= (uint)g.Height || lo >= hi) { dst.Clear(); continue; }
                        var src = image.Slice(r * g.Width, g.Width);
                        dst[..lo].Clear();
                        if (g.StrideW == 1) src.Slice(q0 + lo, hi - lo).CopyTo(dst[lo..hi]);
                        else for (int j = lo; j < hi; j++) dst[j] = src[q0 + j * g.StrideW];
                        dst[hi..].Clear();
                    }
                }
        }
    }

    /// <summary>
    /// x += col2im(col): each entry of col (rows <paramref name="rowStride"/> apart, 0: packed) added into channels [c0, c0 + Cg) of
    /// one sample x [Cin, H, W]. col is scratch: entries that fall in the padding may be zeroed.
    /// </summary>
    public static void ScatterAdd<T>(Span<T> col, int c0, in Conv2dGeometry g, Span<T> x, int rowStride = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo, hw = g.Height * g.Width, ld = rowStride == 0 ? plane : rowStride;
        for (int c = 0; c < g.GroupIn; c++)
        {
            var image = x.Slice((c0 + c) * hw, hw);
            for (int u = 0; u < g.KernelH; u++)
                for (int v = 0; v < g.KernelW; v++)
                {
                    var row = col.Slice(((c * g.KernelH + u) * g.KernelW + v) * ld, plane);
                    int q0 = v * g.DilationW - g.PadW;
                    var (lo, hi) = Inside(q0, g.StrideW, g.Width, wo);
                    if (lo >= hi) continue;
                    if (Shifts(g)) { ScatterAddShifted(row, u * g.DilationH - g.PadH, q0, lo, hi, g, image); continue; }
                    for (int i = 0; i < ho; i++)
                    {
                        int r = i * g.StrideH - g.PadH + u * g.DilationH;
                        if ((uint)r >= (uint)g.Height) continue;
                        var src = row.Slice(i * wo, wo);
                        var dst = image.Slice(r * g.Width, g.Width);
                        if (g.StrideW == 1)
                        {
                            var d = dst.Slice(q0 + lo, hi - lo);
                            TensorPrimitives.Add(d, src[lo..hi], d);
                        }
                        else for (int j = lo; j < hi; j++) dst[q0 + j * g.StrideW] += src[j];
                    }
                }
        }
    }

    /// <summary>
    /// Stride 1 and Wout = W ("same" width): row (c, u, v) of col is the image shifted by (u·dh − ph)·W + q0, so it is
    /// copied (or added) as one contiguous run; the entries that wrap around a row edge are the padding, zeroed per row.
    /// </summary>
    private static bool Shifts(in Conv2dGeometry g) => g.StrideH == 1 && g.StrideW == 1 && g.OutWidth == g.Width;

    /// <summary>The output rows [iLo, iHi) whose input row i + r0 lies in [0, H).</summary>
    private static (int Lo, int Hi) Rows(int r0, in Conv2dGeometry g) => (Math.Max(0, -r0), Math.Max(Math.Max(0, -r0), Math.Min(g.OutHeight, g.Height - r0)));

    /// <summary>One row of col (an image [H, W] shifted by r0 rows and q0 columns, zero outside) in one copy, then the wrapped edges zeroed.</summary>
    private static void GatherShifted<T>(ReadOnlySpan<T> image, int r0, int q0, int lo, int hi, in Conv2dGeometry g, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = g.Width;
        var (iLo, iHi) = Rows(r0, g);
        row[..(iLo * w)].Clear();
        row[(iHi * w)..].Clear();
        if (iLo >= iHi) return;
        long start = (long)(iLo + r0) * w + q0;                  // image index of (iLo, j = 0); the run is (iHi − iLo)·W long
        int s0 = (int)Math.Max(0, start), s1 = (int)Math.Min(image.Length, start + (long)(iHi - iLo) * w);
        image[s0..s1].CopyTo(row[(int)(iLo * w + s0 - start)..]);
        ZeroEdges(row, iLo, iHi, lo, hi, w);
    }

    /// <summary>image += one row of col shifted back: its padding entries zeroed, then added as one contiguous run.</summary>
    private static void ScatterAddShifted<T>(Span<T> row, int r0, int q0, int lo, int hi, in Conv2dGeometry g, Span<T> image) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = g.Width;
        var (iLo, iHi) = Rows(r0, g);
        if (iLo >= iHi) return;
        ZeroEdges(row, iLo, iHi, lo, hi, w);
        long start = (long)(iLo + r0) * w + q0;
        int s0 = (int)Math.Max(0, start), s1 = (int)Math.Min(image.Length, start + (long)(iHi - iLo) * w);
        var d = image[s0..s1];
        TensorPrimitives.Add(d, row.Slice((int)(iLo * w + s0 - start), s1 - s0), d);
    }

    /// <summary>Zeroes columns [0, lo) and [hi, w) of rows [iLo, iHi) of a [rows, w] block: the padding a shifted run wrapped into.</summary>
    private static void ZeroEdges<T>(Span<T> row, int iLo, int iHi, int lo, int hi, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = iLo; i < iHi; i++)
        {
            row.Slice(i * w, lo).Clear();
            row.Slice(i * w + hi, w - hi).Clear();
        }
    }

    /// <summary>The output columns [lo, hi) whose input column q0 + j·s lies in [0, width).</summary>
    private static (int Lo, int Hi) Inside(int q0, int s, int width, int wo)
    {
        int lo = q0 >= 0 ? 0 : (-q0 + s - 1) / s;
        int hi = q0 >= width ? 0 : Math.Min(wo, (width - 1 - q0) / s + 1);
        return (lo, Math.Max(lo, hi));
    }
}
