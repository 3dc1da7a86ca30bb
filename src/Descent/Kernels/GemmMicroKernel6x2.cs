using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// The 256-bit and 128-bit GEMM micro-kernels, one body over the lane width <typeparamref name="TV"/>
/// (<see cref="Lanes256{T}"/> with AVX2 + FMA, <see cref="Lanes128{T}"/> with SSE + FMA or NEON): a 6 × 2·TV.Count tile
/// of C held in 12 registers, updated by rank-1 FMAs c[r, :] += a[r]·b[:] over a packed A sliver [kc, 6] and a packed
/// B sliver [kc, NR]. Each C element is one FMA chain in increasing p, so its value does not depend on where its tile
/// lies, nor on the width. (The 512-bit kernel, <see cref="GemmMicroKernel512"/>, has 8 rows and reads operands in place.)
/// </summary>
internal static unsafe class GemmMicroKernel6x2<TV, T> where TV : struct, ILanes<TV, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of the tile.</summary>
    public const int MR = 6;

    /// <summary>k steps before the end of the loop at which C's rows are fetched into L1 (≈ 100 cycles ahead on Zen 3).</summary>
    private const int LateSteps = 16;

    /// <summary>Columns of the tile (two vectors).</summary>
    public static int NR => 2 * TV.Count;

    /// <summary>C[0..MR, 0..NR] ← epilogue(Σₚ pa[p, r]·pb[p, j]); pa is [kc, MR], pb is [kc, NR], C has row stride ldc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* pa, T* pb, T* c, int ldc, T* bias, in GemmStore<T> e)
    {
        // The tile's rows of C, a page apart in a large product and gone from the caches since the last k block, are fetched
        // while the FMAs run rather than when the epilogue needs them (BLIS does the same). With a row stride that is a
        // multiple of 2 KiB the six rows fall in one or two L1 sets (64 sets of 64 bytes), where, held through the whole
        // loop, they pushed out the B sliver's lines: then they go into L2 at the start and into L1 a few k steps before
        // the end. Zen 3, the kernel over a 1024³ product's blocks: no prefetch 90 %, into L1 at the start 93.5 %, L2
        // then late L1 94.5 % of peak; 512³ (2 KiB rows) 89.6 → 91.7 GFLOP/s on one thread. Other strides keep the early
        // L1 fetch (the CNN's conv2 at batch 1, rows 784 bytes apart, was no faster late).
        bool fewSets = (long)ldc * sizeof(T) % 2048 == 0;
        if (Sse.IsSupported)
        {
            for (int r = 0; r < MR; r++)
            {
                T* row = c + (long)r * ldc;
                if (fewSets) { Sse.Prefetch1(row); Sse.Prefetch1(row + NR - 1); }
                else { Sse.Prefetch0(row); Sse.Prefetch0(row + NR - 1); }
            }
        }
        TV c00 = default, c01 = default;
        TV c10 = default, c11 = default;
        TV c20 = default, c21 = default;
        TV c30 = default, c31 = default;
        TV c40 = default, c41 = default;
        TV c50 = default, c51 = default;
        int w = TV.Count, p = 0;
        // Two k steps a pass (half the loop overhead; measured faster on Zen 3), then the odd one: the same FMAs in the same
        // order. LateSteps before the end, C's rows are fetched into L1 when they share sets.
        int late = fewSets && Sse.IsSupported ? Math.Max(0, kc - LateSteps) & ~1 : -1;
        for (; p + 2 <= kc; p += 2)
        {
            if (p == late)
                for (int r = 0; r < MR; r++)
                {
                    Sse.Prefetch0(c + (long)r * ldc);
                    Sse.Prefetch0(c + (long)r * ldc + NR - 1);
                }
            Step(pa, pb, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step(pa + MR, pb + 2 * w, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            pa += 2 * MR; pb += 4 * w;
        }
        if (p < kc) Step(pa, pb, w, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        GemmEpilogue<TV, T>.Store(c, c00, c01, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 1 * ldc, c10, c11, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 2 * ldc, c20, c21, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 3 * ldc, c30, c31, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 4 * ldc, c40, c41, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 5 * ldc, c50, c51, bias, in e);
    }

    /// <summary>
    /// A bottom tile of 1 to 4 rows (<paramref name="rows"/>) from a 6-row sliver whose other rows are padding: 4 × NR in
    /// 8 registers, two thirds of the 6-row kernel's time where computing it as a 6-row tile took all of it (m = 64: one
    /// tile in 11; m = 256: one in 43). Eight FMA chains are as many as two FMA units of latency 4 keep busy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunFour(int kc, T* pa, T* pb, T* c, int ldc, int rows, T* bias, in GemmStore<T> e)
    {
        TV c00 = default, c01 = default;
        TV c10 = default, c11 = default;
        TV c20 = default, c21 = default;
        TV c30 = default, c31 = default;
        int w = TV.Count;
        for (int p = 0; p < kc; p++, pa += MR, pb += 2 * w)
            FourRows(pa, TV.Load(pb), TV.Load(pb + w), ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31);
        GemmEpilogue<TV, T>.Store(c, c00, c01, bias, in e);
        if (rows > 1) GemmEpilogue<TV, T>.Store(c + 1 * ldc, c10, c11, bias, in e);
        if (rows > 2) GemmEpilogue<TV, T>.Store(c + 2 * ldc, c20, c21, bias, in e);
        if (rows > 3) GemmEpilogue<TV, T>.Store(c + 3 * ldc, c30, c31, bias, in e);
    }

    /// <summary>
    /// A bottom tile of 1 or 2 rows across two neighbouring B slivers (<paramref name="pb0"/> then <paramref name="pb1"/>,
    /// C's columns [0, 2·NR)): 2 × 2·NR in 8 registers, so each sliver's tile costs a third of a 6-row one (m = 128: one
    /// tile in 22 had cost a whole one). The second sliver is the next one the caller reaches, so its lines are on their way to L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTwoPair(int kc, T* pa, T* pb0, T* pb1, T* c, int ldc, int rows, T* bias, in GemmStore<T> e)
    {
        TV c00 = default, c01 = default, c02 = default, c03 = default;
        TV c10 = default, c11 = default, c12 = default, c13 = default;
        int w = TV.Count;
        for (int p = 0; p < kc; p++, pa += MR, pb0 += 2 * w, pb1 += 2 * w)
        {
            var b0 = TV.Load(pb0); var b1 = TV.Load(pb0 + w); var b2 = TV.Load(pb1); var b3 = TV.Load(pb1 + w);
            TV a;
            a = TV.Splat(pa[0]);
            c00 = TV.MultiplyAdd(a, b0, c00); c01 = TV.MultiplyAdd(a, b1, c01); c02 = TV.MultiplyAdd(a, b2, c02); c03 = TV.MultiplyAdd(a, b3, c03);
            a = TV.Splat(pa[1]);
            c10 = TV.MultiplyAdd(a, b0, c10); c11 = TV.MultiplyAdd(a, b1, c11); c12 = TV.MultiplyAdd(a, b2, c12); c13 = TV.MultiplyAdd(a, b3, c13);
        }
        T* bias1 = bias == null ? null : bias + 2 * w;
        GemmEpilogue<TV, T>.Store(c, c00, c01, bias, in e);
        GemmEpilogue<TV, T>.Store(c + 2 * w, c02, c03, bias1, in e);
        if (rows > 1)
        {
            GemmEpilogue<TV, T>.Store(c + ldc, c10, c11, bias, in e);
            GemmEpilogue<TV, T>.Store(c + ldc + 2 * w, c12, c13, bias1, in e);
        }
    }

    /// <summary>One k step: c[r, :] += pa[r]·pb[:] for the six rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(T* pa, T* pb, int w, ref TV c00, ref TV c01, ref TV c10, ref TV c11, ref TV c20, ref TV c21,
        ref TV c30, ref TV c31, ref TV c40, ref TV c41, ref TV c50, ref TV c51)
    {
        var b0 = TV.Load(pb); var b1 = TV.Load(pb + w);
        FourRows(pa, b0, b1, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31);
        TV a;
        a = TV.Splat(pa[4]); c40 = TV.MultiplyAdd(a, b0, c40); c41 = TV.MultiplyAdd(a, b1, c41);
        a = TV.Splat(pa[5]); c50 = TV.MultiplyAdd(a, b0, c50); c51 = TV.MultiplyAdd(a, b1, c51);
    }

    /// <summary>Rows 0–3 of a k step: c[r, :] += pa[r]·(b0, b1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows(T* pa, TV b0, TV b1, ref TV c00, ref TV c01, ref TV c10, ref TV c11, ref TV c20, ref TV c21,
        ref TV c30, ref TV c31)
    {
        TV a;
        a = TV.Splat(pa[0]); c00 = TV.MultiplyAdd(a, b0, c00); c01 = TV.MultiplyAdd(a, b1, c01);
        a = TV.Splat(pa[1]); c10 = TV.MultiplyAdd(a, b0, c10); c11 = TV.MultiplyAdd(a, b1, c11);
        a = TV.Splat(pa[2]); c20 = TV.MultiplyAdd(a, b0, c20); c21 = TV.MultiplyAdd(a, b1, c21);
        a = TV.Splat(pa[3]); c30 = TV.MultiplyAdd(a, b0, c30); c31 = TV.MultiplyAdd(a, b1, c31);
    }
}
