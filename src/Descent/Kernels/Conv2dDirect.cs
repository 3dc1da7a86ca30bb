using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// Direct convolution for a short filter — K = Cin·kh·kw below <see cref="Conv2dPacked.MinDepth"/>, stride 1, dilation 1,
/// one group: the first layer of an image network (the default CNN's conv1 has K = 9). There is no column matrix: with
/// xp [Cin, Hp, Wp] the zero-padded sample, each output row of a channel is read as vectors of 8 pixels,
/// <code>
///   y[o, i, j … j+7] = Σ_k w[o, k] · xp[c, i + u, j + v … j + v + 7]     k = (c·kh + u)·kw + v,
/// </code>
/// three channels × four vectors at once (a row of 28: j = 0, 8, 16 and 20 — the last overlapping, the same values stored twice),
/// then b[o] added. Each output is one FMA chain from 0 in increasing k, which is what im2col and the GEMM's micro-kernel
/// compute for a filter this short (one k block, α = 1, β = 0), so the bits are those of that path, on every ISA (the
/// scalar form is the same chain) and for any split. A sample is one part; with fewer samples than cores, its output
/// channels are split into parts too (by rows, the two cores' stores and loads collided: 18.5 µs on two threads against
/// 10 µs on one for conv1 at batch 1; by channels 8.3 µs).
/// Measured (docs/convolution.md): batch-1 conv1 16.3 µs through im2col + GEMM on one core.
/// </summary>
internal static unsafe class Conv2dDirect
{
    /// <summary>Whether the direct pass computes this forward convolution.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        g is { StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Groups: 1 } && !g.IsPointwise && g.OutPlane > 0 && g.FilterLength < Conv2dPacked.MinDepth;

    /// <summary>
    /// Parts each sample's output channels are split into (in threes, as <see cref="RowWide"/> computes them): one while the batch gives every core a sample, else enough that
    /// every core gets work. Depends on the geometry and the processor alone, as the scratch's size must.
    /// </summary>
    public static int ChannelParts(in Conv2dGeometry g) =>
        g.Batch >= Environment.ProcessorCount || g.Batch == 0 ? 1 : Math.Min((Environment.ProcessorCount + g.Batch - 1) / g.Batch, (g.OutChannels + 2) / 3);

    /// <summary>Slots (padded images) the pass uses: one per part that can run at once.</summary>
    public static int Slots(in Conv2dGeometry g) => Math.Max(1, Math.Min(Environment.ProcessorCount, g.Batch * ChannelParts(g)));

    /// <summary>Elements of one slot: the sample's zero-padded image.</summary>
    public static long SlotLength(in Conv2dGeometry g) => (long)g.InChannels * (g.Height + 2 * g.PadH) * (g.Width + 2 * g.PadW);

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of one sample: output channels [3·⌊T·part/parts⌋, 3·⌊T·(part+1)/parts⌋)
    /// (T = ⌈Cout/3⌉ triples), yₙ = conv(xₙ, w) (+ b, then the epilogue), with <paramref name="slot"/> as the padded image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardSample<T>(T* xn, T* w, T* bias, in Conv2dGeometry g, T* yn, T* slot, int part, int parts, in ConvEpilogue<T> epilogue = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ho = g.OutHeight, wo = g.OutWidth, p = g.OutPlane, k = g.FilterLength;
        int triples = (g.OutChannels + 2) / 3, oStart = 3 * (int)((long)triples * part / parts), oEnd = Math.Min(g.OutChannels, 3 * (int)((long)triples * (part + 1) / parts));
        int i0 = 0, i1 = ho;                                                 // every row of the part's channels
        int wp = g.Width + 2 * g.PadW, plane = (g.Height + 2 * g.PadH) * wp;
        Pad(xn, g, slot);
        bool wide = typeof(T) == typeof(float) && wo >= 8 && GemmMicroKernel.Isa >= GemmIsa.Vector256 && Vector256.IsHardwareAccelerated;
        int* off = stackalloc int[k];                                        // off[k] = c·Hp·Wp + u·Wp + v: tap k's cell, from the window's corner
        for (int c = 0, t = 0; c < g.InChannels; c++)
            for (int u = 0; u < g.KernelH; u++)
                for (int v = 0; v < g.KernelW; v++) off[t++] = c * plane + u * wp + v;
        for (int o = oStart; o < oEnd; o += 3)
        {
            // Three channels at a time; past the last channel, the last again (the same values, computed twice).
            int o1 = Math.Min(o + 1, g.OutChannels - 1), o2 = Math.Min(o + 2, g.OutChannels - 1);
            T* w0 = w + (long)o * k, w1 = w + (long)o1 * k, w2 = w + (long)o2 * k, y0 = yn + (long)o * p, y1 = yn + (long)o1 * p, y2 = yn + (long)o2 * p;
            for (int i = i0; i < i1; i++)
            {
                if (wide) RowWide((float*)w0, (float*)w1, (float*)w2, (float*)slot + i * wp, off, k, wo, (float*)y0 + i * wo, (float*)y1 + i * wo, (float*)y2 + i * wo);
                else
                {
                    RowScalar(w0, slot + i * wp, off, k, wo, y0 + i * wo);
                    RowScalar(w1, slot + i * wp, off, k, wo, y1 + i * wo);
                    RowScalar(w2, slot + i * wp, off, k, wo, y2 + i * wo);
                }
            }
        }
        if (bias == null && epilogue.IsEmpty) return;
        for (int o = oStart; o < oEnd; o++)
        {
            var rows = new Span<T>(yn + (long)o * p + i0 * wo, (i1 - i0) * wo);
            if (bias != null) TensorPrimitives.Add(rows, bias[o], rows);
            epilogue.Apply(rows, o);
        }
    }

    /// <summary>
    /// One output row of three channels: vectors at j = 0, 8, … and Wout − 8 (the last may overlap), four at a time —
    /// twelve independent FMA chains, enough to keep both FMA units busy through the FMA's latency.
    /// </summary>
    private static void RowWide(float* w0, float* w1, float* w2, float* top, int* off, int k, int wo, float* y0, float* y1, float* y2)
    {
        int vectors = (wo + 7) / 8;
        for (int m = 0; m < vectors; m += 4)
        {
            // The group's starts; a group of fewer than four repeats its last (the same values, computed twice).
            int j0 = Start(m, wo), j1 = Start(Math.Min(m + 1, vectors - 1), wo), j2 = Start(Math.Min(m + 2, vectors - 1), wo), j3 = Start(Math.Min(m + 3, vectors - 1), wo);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, c0 = default, c1 = default, c2 = default, c3 = default;
            Vector256<float> e0 = default, e1 = default, e2 = default, e3 = default;
            for (int t = 0; t < k; t++)
            {
                float* r = top + off[t];
                Vector256<float> b = Vector256.Create(w0[t]), d = Vector256.Create(w1[t]), f = Vector256.Create(w2[t]), x = Vector256.Load(r + j0);
                a0 = Vector256.FusedMultiplyAdd(b, x, a0); c0 = Vector256.FusedMultiplyAdd(d, x, c0); e0 = Vector256.FusedMultiplyAdd(f, x, e0);
                x = Vector256.Load(r + j1);
                a1 = Vector256.FusedMultiplyAdd(b, x, a1); c1 = Vector256.FusedMultiplyAdd(d, x, c1); e1 = Vector256.FusedMultiplyAdd(f, x, e1);
                x = Vector256.Load(r + j2);
                a2 = Vector256.FusedMultiplyAdd(b, x, a2); c2 = Vector256.FusedMultiplyAdd(d, x, c2); e2 = Vector256.FusedMultiplyAdd(f, x, e2);
                x = Vector256.Load(r + j3);
                a3 = Vector256.FusedMultiplyAdd(b, x, a3); c3 = Vector256.FusedMultiplyAdd(d, x, c3); e3 = Vector256.FusedMultiplyAdd(f, x, e3);
            }
            a0.Store(y0 + j0); a1.Store(y0 + j1); a2.Store(y0 + j2); a3.Store(y0 + j3);
            c0.Store(y1 + j0); c1.Store(y1 + j1); c2.Store(y1 + j2); c3.Store(y1 + j3);
            e0.Store(y2 + j0); e1.Store(y2 + j1); e2.Store(y2 + j2); e3.Store(y2 + j3);
        }
    }

    private static int Start(int m, int wo) => Math.Min(8 * m, wo - 8);

    /// <summary>One output row of one channel, one FMA chain an element (the same chain as <see cref="RowWide"/>).</summary>
    private static void RowScalar<T>(T* w, T* top, int* off, int k, int wo, T* y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < wo; j++)
        {
            T acc = T.Zero;
            for (int t = 0; t < k; t++) acc = T.FusedMultiplyAdd(w[t], top[off[t] + j], acc);
            y[j] = acc;
        }
    }

    /// <summary>xp [Cin, Hp, Wp] ← xₙ with a border of zeros (the padding).</summary>
    private static void Pad<T>(T* x, in Conv2dGeometry g, T* xp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.Height, w = g.Width, hp = h + 2 * g.PadH, wp = w + 2 * g.PadW;
        new Span<T>(xp, g.InChannels * hp * wp).Clear();
        for (int c = 0; c < g.InChannels; c++)
            for (int r = 0; r < h; r++)
                new ReadOnlySpan<T>(x + ((long)c * h + r) * w, w).CopyTo(new Span<T>(xp + ((long)c * hp + g.PadH + r) * wp + g.PadW, w));
    }
}
