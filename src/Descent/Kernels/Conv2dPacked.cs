using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// The convolution's GEMM with im2col done by the packing itself: the column matrix is never written out. For one sample
/// and group, yₙ,g [Cout/G, P] = W_g [Cout/G, K] · colₙ,g [K, P] runs as the packed GEMM's micro-kernel loop, with
/// <list type="bullet">
/// <item>A = W_g packed into MR-row slivers once per call (<see cref="PackWeights{T}"/>) and shared by every sample and thread;</item>
/// <item>B = the NR-column sliver of col read straight from the zero-padded image xp [Cg, Hp, Wp]:
/// <c>sliver[k·NR + q] = xp[base(k) + off(p₀ + q)]</c>, with base(c, u, v) = c·Hp·Wp + u·dh·Wp + v·dw and
/// off(i·Wout + j) = i·sh·Wp + j·sw — with AVX2, 8 pixels that lie in two runs of xp (stride 1: the end of one output
/// row and the start of the next) as two loads and a blend, others by a gather; else a plain loop (the same values);</item>
/// <item>K = Cg·kh·kw cut into the fewest equal k blocks of at most <see cref="BlockDepth"/> (a B sliver block and an A
/// sliver stay in L1): each output is one FMA chain per block in increasing k, the blocks added in order, whatever the
/// width, the panel or the thread.</item>
/// </list>
/// The backward pass to the input with stride 1 is the same forward pass of ∂L/∂y with the flipped, transposed kernel
/// W′[ci, co, u, v] = W[co, ci, kh−1−u, kw−1−v] and padding k−1−p (<see cref="Flipped"/>), so it needs no col2im either.
/// </summary>
internal static unsafe class Conv2dPacked
{
    /// <summary>The deepest k block: 320 × 16 floats of B sliver (20 KiB) and 320 × 6 of A (7.5 KiB) fit a 32 KiB L1d.</summary>
    public const int BlockDepth = 320;

    /// <summary>Widest B sliver of any kernel, in elements (2 × 16 floats for AVX-512).</summary>
    private const int MaxNR = 32;

    /// <summary>
    /// Fewest filter taps K for the packed forward pass. With a short K the micro-kernel stores its tile after a few FMAs
    /// and the im2col + GEMM path is faster: the default CNN's conv1 (K = 9) took 2,199 µs packed against 1,649 µs (p10
    /// of a batch-128 step, quiet Zen 3), while conv2 (K = 288) went from 8,944 to 7,289 µs.
    /// </summary>
    public const int MinDepth = 64;

    /// <summary>Whether the packed path computes this forward convolution.</summary>
    public static bool Applies(in Conv2dGeometry g) => !g.IsPointwise && g.OutPlane > 0 && g.FilterLength >= MinDepth;

    /// <summary>
    /// Fewest input channels for ∂L/∂x as a forward pass: its GEMM has Cin rows, and each B sliver it packs serves them
    /// all. Measured on Zen 3 (batch 8, 14 × 14, 3 × 3, 64 output channels, one thread): Cin = 32 took 1.09× the time of
    /// the GEMM + col2im path, Cin = 64 0.83× of it.
    /// </summary>
    public const int FlippedMinChannels = 64;

    /// <summary>
    /// The geometry of ∂L/∂x as a forward convolution of ∂L/∂y (stride 1, dilation 1, one group, padding ≤ k − 1, at least
    /// <see cref="FlippedMinChannels"/> input channels), or null.
    /// </summary>
    public static Conv2dGeometry? Flipped(in Conv2dGeometry g)
    {
        if (g.InChannels < FlippedMinChannels) return null;
        if (g is not { StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Groups: 1 } || g.PadH > g.KernelH - 1 || g.PadW > g.KernelW - 1) return null;
        var f = new Conv2dGeometry(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.KernelH, g.KernelW, 1, 1,
            g.KernelH - 1 - g.PadH, g.KernelW - 1 - g.PadW, 1, 1, 1);
        return f.OutHeight == g.Height && f.OutWidth == g.Width && Applies(f) ? f : null;
    }

    /// <summary>Elements of the packed weights (an upper bound for any MR).</summary>
    public static long WeightsLength(in Conv2dGeometry g) => (long)g.Groups * (g.GroupOut + GemmMicroKernel.MaxMR) * g.FilterLength;

    /// <summary>
    /// Parts each sample is split into: one while the batch gives every core a sample, else enough that every core gets
    /// work (batch-1 inference: conv2 of the default CNN took 108 µs on one core while the other waited). A part is a
    /// contiguous range of the sample's (B sliver, MR-row tile) cells in sliver-major order, so the parts get equal
    /// numbers of micro-kernel calls (13 slivers × 11 tiles: 71 and 72, where whole slivers gave 6 and 7 slivers). A
    /// tile's sums do not depend on the split, so neither do the bits. Depends on the geometry and the processor alone,
    /// as the scratch's size must.
    /// </summary>
    public static int PixelParts(in Conv2dGeometry g) =>
        g.Batch >= Environment.ProcessorCount || g.Batch == 0 ? 1 : Math.Min((Environment.ProcessorCount + g.Batch - 1) / g.Batch, Math.Max(1, g.OutPlane / MaxNR));

    /// <summary>Slots the packed pass uses: one per part that can run at once.</summary>
    public static int Slots(in Conv2dGeometry g) => Math.Max(1, Math.Min(Environment.ProcessorCount, g.Batch * PixelParts(g)));

    /// <summary>Elements of one slot: the padded image of a sample's group, then the B sliver.</summary>
    public static long SlotLength(in Conv2dGeometry g) => (long)g.GroupIn * PaddedHeight(g) * PaddedWidth(g) + (long)g.FilterLength * MaxNR + Slack;

    /// <summary>Elements after the sliver that an 8-wide load past the padded image's end may touch (their values are never used).</summary>
    private const int Slack = 8;

    private static int PaddedHeight(in Conv2dGeometry g) => g.Height + 2 * g.PadH;
    private static int PaddedWidth(in Conv2dGeometry g) => g.Width + 2 * g.PadW;

    /// <summary>W′[ci, co, u, v] = W[co, ci, kh−1−u, kw−1−v] (one group): the kernel of ∂L/∂x as a forward convolution.</summary>
    public static void FlipWeights<T>(ReadOnlySpan<T> w, in Conv2dGeometry g, Span<T> flipped) where T : unmanaged
    {
        int kh = g.KernelH, kw = g.KernelW, taps = kh * kw;
        for (int co = 0; co < g.OutChannels; co++)
            for (int ci = 0; ci < g.InChannels; ci++)
                for (int t = 0; t < taps; t++)
                    flipped[(ci * g.OutChannels + co) * taps + (taps - 1 - t)] = w[(co * g.InChannels + ci) * taps + t];
    }

    /// <summary>
    /// Each group's W_g [Cout/G, K], k block by k block, into MR-row slivers: block b (columns [p₀, p₀ + kc)) at
    /// p₀·⌈Cout/G / MR⌉·MR, groups <see cref="GroupStride"/> apart.
    /// </summary>
    public static void PackWeights<T>(GemmIsa isa, T* w, in Conv2dGeometry g, T* packed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.FilterLength, co = g.GroupOut, mr = GemmMicroKernel.MR(isa), rows = (co + mr - 1) / mr * mr, blocks = Blocks(k);
        for (int grp = 0; grp < g.Groups; grp++)
            for (int b = 0; b < blocks; b++)
            {
                int p0 = BlockStart(k, blocks, b), kc = BlockStart(k, blocks, b + 1) - p0;
                GemmPacking.PackA(false, w + (long)grp * co * k, k, 0, co, p0, kc, mr, packed + grp * GroupStride(g) + (long)p0 * rows);
            }
    }

    private static int Blocks(int k) => (k + BlockDepth - 1) / BlockDepth;

    private static int BlockStart(int k, int blocks, int b) => (int)((long)b * k / blocks);

    private static long GroupStride(in Conv2dGeometry g) => (long)(g.GroupOut + GemmMicroKernel.MaxMR) * g.FilterLength;

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of one sample: yₙ [Cout, P] = W · colₙ (+ bias per output
    /// channel, then the epilogue) for the part's cells (B sliver s, row tile t) — cells s·tiles + t in
    /// [cells·part/parts, cells·(part+1)/parts) — group by group, with <paramref name="slot"/> as the padded image and the B sliver.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardSample<T>(GemmIsa isa, T* xn, T* packedW, T* bias, in Conv2dGeometry g, T* yn, T* slot, int part = 0, int parts = 1,
        in ConvEpilogue<T> epilogue = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.FilterLength, p = g.OutPlane, co = g.GroupOut, wo = g.OutWidth, hw = g.Height * g.Width;
        int hp = PaddedHeight(g), wp = PaddedWidth(g), plane = hp * wp;
        int mr = GemmMicroKernel.MR(isa), nr = GemmMicroKernel.NR<T>(isa);
        T* xp = slot, sliver = slot + (long)g.GroupIn * plane;
        T* tile = (T*)GemmBuffers.ForThisThread().Tile;
        int* off = stackalloc int[MaxNR];
        int blocks = Blocks(k), paddedRows = (co + mr - 1) / mr * mr;
        int slivers = (p + nr - 1) / nr, tiles = (co + mr - 1) / mr, cells = slivers * tiles;
        int c0 = (int)((long)cells * part / parts), c1 = (int)((long)cells * (part + 1) / parts);
        var first = new GemmStore<T>(T.One, T.Zero, false, false);             // C = the first block's sums
        var later = new GemmStore<T>(T.One, T.One, true, false);               // C += each later block's
        for (int grp = 0; grp < g.Groups; grp++)
        {
            Pad(xn + (long)grp * g.GroupIn * hw, g, xp);
            T* a = packedW + grp * GroupStride(g), y = yn + (long)grp * co * p;
            for (int cell = c0; cell < c1;)
            {
                int sl = cell / tiles, t0 = cell % tiles, t1 = Math.Min(tiles, t0 + c1 - cell);   // this sliver's tiles [t0, t1)
                int j0 = sl * nr, cols = Math.Min(nr, p - j0);
                for (int q = 0; q < nr; q++)
                {
                    int at = Math.Min(j0 + q, p - 1);                          // past the edge: any pixel (never stored)
                    off[q] = at / wo * g.StrideH * wp + at % wo * g.StrideW;
                }
                PackSliver(xp, g, plane, wp, off, nr, sliver);
                for (int b = 0; b < blocks; b++)
                {
                    int p0 = BlockStart(k, blocks, b), kc = BlockStart(k, blocks, b + 1) - p0;
                    var store = b == 0 ? first : later;
                    T* ab = a + (long)p0 * paddedRows, pb = sliver + (long)p0 * nr;
                    bool nextDone = false;   // one sliver at a time: never set
                    for (int t = t0; t < t1; t++)
                    {
                        int i0 = t * mr, rows = Math.Min(mr, co - i0);
                        T* pa = ab + (long)i0 * kc, c = y + (long)i0 * p + j0;
                        if (rows == mr && cols == nr) GemmMicroKernel.Run(isa, kc, pa, pb, c, p, null, in store);
                        else GemmMicroKernel.RunPartial(isa, kc, pa, pb, null, c, p, rows, cols, null, in store, tile, ref nextDone);
                    }
                }
                cell += t1 - t0;
            }
            if (bias == null && epilogue.IsEmpty) continue;
            for (int o = 0; o < co; o++)
            {
                // The slivers whose cell (s, t) of this channel's tile t is the part's: s·tiles + t in [c0, c1).
                int t = o / mr, last = c1 - 1 - t;
                int sFirst = Math.Max(0, (c0 - t + tiles - 1) / tiles), sLast = last >= 0 ? last / tiles : -1;
                if (sFirst > sLast) continue;
                int jStart = sFirst * nr, jEnd = Math.Min(p, (sLast + 1) * nr);
                var row = new Span<T>(y + (long)o * p + jStart, jEnd - jStart);
                if (bias != null) TensorPrimitives.Add(row, bias[grp * co + o], row);
                epilogue.Apply(row, grp * co + o);
            }
        }
    }

    /// <summary>xp [Cg, Hp, Wp] ← the group's channels of xₙ with a border of zeros (the padding).</summary>
    private static void Pad<T>(T* x, in Conv2dGeometry g, T* xp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.Height, w = g.Width, hp = PaddedHeight(g), wp = PaddedWidth(g);
        if (g.PadH == 0 && g.PadW == 0) { new ReadOnlySpan<T>(x, g.GroupIn * h * w).CopyTo(new Span<T>(xp, g.GroupIn * h * w)); return; }
        for (int c = 0; c < g.GroupIn; c++)
        {
            T* dst = xp + (long)c * hp * wp;
            new Span<T>(dst, g.PadH * wp).Clear();
            for (int r = 0; r < h; r++)
            {
                T* row = dst + (long)(g.PadH + r) * wp;
                new Span<T>(row, g.PadW).Clear();
                new ReadOnlySpan<T>(x + ((long)c * h + r) * w, w).CopyTo(new Span<T>(row + g.PadW, w));
                new Span<T>(row + g.PadW + w, wp - g.PadW - w).Clear();
            }
            new Span<T>(dst + (long)(g.PadH + h) * wp, (hp - g.PadH - h) * wp).Clear();
        }
    }

    /// <summary>sliver [K, NR]: sliver[k·NR + q] = xp[base(k) + off[q]], k = (c·kh + u)·kw + v.</summary>
    private static void PackSliver<T>(T* xp, in Conv2dGeometry g, int plane, int wp, int* off, int nr, T* sliver) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int du = g.DilationH * wp, dv = g.DilationW;
        if (typeof(T) == typeof(float) && Avx2.IsSupported && nr % 8 == 0)
        {
            // Each group of 8 pixels: two contiguous runs of xp (one output row, then the next) become two loads and a
            // blend; anything else (stride > 1, rows shorter than the group) an AVX2 gather. Both read the same cells.
            int groups = nr / 8;
            var idx = stackalloc Vector256<int>[MaxNR / 8];
            var second = stackalloc Vector256<float>[MaxNR / 8];
            int* first = stackalloc int[MaxNR / 8], next = stackalloc int[MaxNR / 8];
            bool* runs = stackalloc bool[MaxNR / 8];
            for (int q0 = 0; q0 < nr; q0 += 8)
            {
                int e = q0 / 8, split = 1;
                while (split < 8 && off[q0 + split] == off[q0] + split) split++;
                int rest = split;
                while (rest < 8 && off[q0 + rest] == off[q0 + split] + rest - split) rest++;
                idx[e] = Vector256.Load(off + q0);
                runs[e] = rest == 8;
                first[e] = off[q0];
                next[e] = split < 8 ? off[q0 + split] - split : off[q0];
                second[e] = Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(split)).AsSingle();
            }
            float* s = (float*)sliver;
            if (groups == 2 && runs[0] && runs[1])
            {
                // The common case (a 16-float sliver of stride-1 pixels): the groups' operands in registers, four loads,
                // two blends and two stores a tap. Measured (conv2 at batch 1, one core): 1.1 µs a sliver before.
                int f0 = first[0], n0 = next[0], f1 = first[1], n1 = next[1], cg = g.GroupIn, kh = g.KernelH, kw = g.KernelW;
                Vector256<float> m0 = second[0], m1 = second[1];
                for (int c = 0; c < cg; c++)
                    for (int u = 0; u < kh; u++)
                    {
                        float* row = (float*)xp + c * plane + u * du;
                        for (int v = 0; v < kw; v++, s += 16)
                        {
                            float* b = row + v * dv;
                            Avx.Store(s, Avx.BlendVariable(Avx.LoadVector256(b + f0), Avx.LoadVector256(b + n0), m0));
                            Avx.Store(s + 8, Avx.BlendVariable(Avx.LoadVector256(b + f1), Avx.LoadVector256(b + n1), m1));
                        }
                    }
                return;
            }
            for (int c = 0; c < g.GroupIn; c++)
                for (int u = 0; u < g.KernelH; u++)
                    for (int v = 0; v < g.KernelW; v++)
                    {
                        float* b = (float*)xp + c * plane + u * du + v * dv;
                        for (int e = 0; e < groups; e++, s += 8)
                            Avx.Store(s, runs[e] ? Avx.BlendVariable(Avx.LoadVector256(b + first[e]), Avx.LoadVector256(b + next[e]), second[e])
                                                 : Avx2.GatherVector256(b, idx[e], 4));
                    }
            return;
        }
        T* d = sliver;
        for (int c = 0; c < g.GroupIn; c++)
            for (int u = 0; u < g.KernelH; u++)
                for (int v = 0; v < g.KernelW; v++, d += nr)
                {
                    T* b = xp + c * plane + u * du + v * dv;
                    for (int q = 0; q < nr; q++) d[q] = b[off[q]];
                }
    }
}
