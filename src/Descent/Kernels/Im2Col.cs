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

    /// <summary>x += col2im(col): each entry of col (rows <paramref name="rowStride"/> apart, 0: packed) added into channels [c0, c0 + Cg) of one sample x [Cin, H, W].</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> col, int c0, in Conv2dGeometry g, Span<T> x, int rowStride = 0) where T : unmanaged, IFloatingPointIeee754<T>
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

    /// <summary>The output columns [lo, hi) whose input column q0 + j·s lies in [0, width).</summary>
    private static (int Lo, int Hi) Inside(int q0, int s, int width, int wo)
    {
        int lo = q0 >= 0 ? 0 : (-q0 + s - 1) / s;
        int hi = q0 >= width ? 0 : Math.Min(wo, (width - 1 - q0) / s + 1);
        return (lo, Math.Max(lo, hi));
    }
}
