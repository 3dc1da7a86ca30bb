using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The 2-D convolution as direct loops over its definition (the reference kernels): every output element is its
/// own sum, accumulated in T in the order (c, u, v) and the bias added last, as the reference GEMM with a bias does.
/// <code>
///   y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, g·Cg + c, i·sh − ph + u·dh, j·sw − pw + v·dw]   (x = 0 outside)
///   ∂L/∂x[n, g·Cg + c, i·sh − ph + u·dh, j·sw − pw + v·dw] += gy[n, o, i, j] · w[o, c, u, v]
///   ∂L/∂w[o, c, u, v] = Σ_{n, i, j} gy[n, o, i, j] · x[n, g·Cg + c, …],   ∂L/∂b[o] = Σ_{n, i, j} gy[n, o, i, j]
/// </code>
/// with g = o / (Cout/groups) the group of output channel o and Cg = Cin/groups.
/// </summary>
internal static class Conv2dReference
{
    /// <summary>The forward pass: y [N, Cout, Hout, Wout].</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(x.Length, w.Length, y.Length, "Conv2d");
        if (!bias.IsEmpty && bias.Length != g.OutChannels) throw new ArgumentException($"Conv2d: bias has {bias.Length} elements, expected {g.OutChannels}.");
        int ho = g.OutHeight, wo = g.OutWidth;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                int c0 = o / g.GroupOut * g.GroupIn;
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        T s = T.Zero;
                        for (int c = 0; c < g.GroupIn; c++)
                            for (int u = 0; u < g.KernelH; u++)
                            {
                                int r = i * g.StrideH - g.PadH + u * g.DilationH;
                                if ((uint)r >= (uint)g.Height) continue;
                                for (int v = 0; v < g.KernelW; v++)
                                {
                                    int q = j * g.StrideW - g.PadW + v * g.DilationW;
                                    if ((uint)q >= (uint)g.Width) continue;
                                    s += w[((o * g.GroupIn + c) * g.KernelH + u) * g.KernelW + v] * x[((n * g.InChannels + c0 + c) * g.Height + r) * g.Width + q];
                                }
                            }
                        y[((n * g.OutChannels + o) * ho + i) * wo + j] = bias.IsEmpty ? s : s + bias[o];
                    }
            }
    }

    /// <summary>∂L/∂x [N, Cin, H, W]: each output's gradient scattered back along the products it was made of.</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, in Conv2dGeometry g, Span<T> gx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(gx.Length, w.Length, gy.Length, "Conv2dBackwardInput");
        gx.Clear();
        int ho = g.OutHeight, wo = g.OutWidth;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                int c0 = o / g.GroupOut * g.GroupIn;
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        T d = gy[((n * g.OutChannels + o) * ho + i) * wo + j];
                        for (int c = 0; c < g.GroupIn; c++)
                            for (int u = 0; u < g.KernelH; u++)
                            {
                                int r = i * g.StrideH - g.PadH + u * g.DilationH;
                                if ((uint)r >= (uint)g.Height) continue;
                                for (int v = 0; v < g.KernelW; v++)
                                {
                                    int q = j * g.StrideW - g.PadW + v * g.DilationW;
                                    if ((uint)q >= (uint)g.Width) continue;
                                    gx[((n * g.InChannels + c0 + c) * g.Height + r) * g.Width + q] += d * w[((o * g.GroupIn + c) * g.KernelH + u) * g.KernelW + v];
                                }
                            }
                    }
            }
    }

    /// <summary>∂L/∂w [Cout, Cin/groups, kh, kw] (when not empty) and ∂L/∂b [Cout] (when not empty, in float64).</summary>
    public static void BackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gw, Span<T> gb)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(x.Length, gw.IsEmpty ? (int)g.WeightLength : gw.Length, gy.Length, "Conv2dBackwardWeight");
        if (!gb.IsEmpty && gb.Length != g.OutChannels) throw new ArgumentException($"Conv2dBackwardWeight: bias gradient has {gb.Length} elements, expected {g.OutChannels}.");
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo;
        for (int o = 0; o < g.OutChannels && !gb.IsEmpty; o++)
        {
            double s = 0;
            for (int n = 0; n < g.Batch; n++)
                for (int p = 0; p < plane; p++) s += double.CreateTruncating(gy[(n * g.OutChannels + o) * plane + p]);
            gb[o] = T.CreateTruncating(s);
        }
        if (gw.IsEmpty) return;
        for (int o = 0; o < g.OutChannels; o++)
        {
            int c0 = o / g.GroupOut * g.GroupIn;
            for (int c = 0; c < g.GroupIn; c++)
                for (int u = 0; u < g.KernelH; u++)
                    for (int v = 0; v < g.KernelW; v++)
                    {
                        T s = T.Zero;
                        for (int n = 0; n < g.Batch; n++)
                            for (int i = 0; i < ho; i++)
                            {
                                int r = i * g.StrideH - g.PadH + u * g.DilationH;
                                if ((uint)r >= (uint)g.Height) continue;
                                for (int j = 0; j < wo; j++)
                                {
                                    int q = j * g.StrideW - g.PadW + v * g.DilationW;
                                    if ((uint)q >= (uint)g.Width) continue;
                                    s += gy[((n * g.OutChannels + o) * ho + i) * wo + j] * x[((n * g.InChannels + c0 + c) * g.Height + r) * g.Width + q];
                                }
                            }
                        gw[((o * g.GroupIn + c) * g.KernelH + u) * g.KernelW + v] = s;
                    }
        }
    }
}
