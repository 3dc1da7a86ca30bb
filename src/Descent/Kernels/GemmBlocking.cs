namespace Descent.Kernels;

/// <summary>
/// The GEMM's cache blocking (the kc, mc, nc of BLIS and OpenBLAS), from the cache sizes this processor reports
/// (<see cref="CpuInfo"/>). With MR × NR tiles of s-byte elements:
/// <list type="bullet">
/// <item>kc = 1024, fixed. kc is the one block size that changes results (C is rounded between k blocks), so it does not
/// follow the processor: the same bits everywhere. Fewer k blocks load and store each tile of C fewer times; the B sliver
/// (kc·NR·s, 64 KiB for 6 × 16 floats) then streams from L2 instead of staying in L1, which costs less than those passes.
/// Zen 3 (32 KiB L1d, 512 KiB L2), `descent bench gemm`, one / two threads, GFLOP/s, kc 256 → 512 → 1024:
/// 2048³ 93.0 / 182.7 → 95.7 / 188.5 → 96.5 / 191.3; 1024³ 94.4 / 182.9 → 96.3 / 188.4 → 97.5 / 189.6;
/// 128×784 · 784×256 86.3 / 148.9 → 88.8 / 167.2 → 90.9 / 173.4. Deeper (1536, 2048) gained nothing on 2048³.
/// Not measured on an AVX-512 processor (8 × 32 tiles: a 128 KiB B sliver, in their 1 MiB or more of L2).</item>
/// <item>mc: the packed A block mc·kc·s takes about 30% of L2 (the rest holds the B sliver's stream and C), a multiple
/// of 24 rows (every MR: 8, 6, 4), at least 48, for the depth kc of the block at hand: a product with k = 128 takes up
/// to 8 times the rows of one whose blocks are 1024 deep. 512 KiB (Zen 3) gives 48 rows at kc = 1024 and 144 (BLIS's
/// zen3 value) at 256; 1 MiB (Zen 5) 72 and 288; 1.25 MiB (Ice Lake) 96 and 384. (Zen 3 at kc = 1024, one thread:
/// mc 24, 48, 96 and 144 within 1 % of each other on 2048³ and 128×784 · 784×256; with 48 rows for every depth, the
/// layer shapes with k ≤ 256 lost 3–10 % on two threads.)</item>
/// <item>nc: the packed B panel kc·nc·s takes an eighth of L3 (every core packs its own, and a VM shares its L3 with
/// other guests), between 512 KiB and 4 MiB. 32 MiB gives 4 MiB: nc = 1024 floats at kc = 1024.</item>
/// </list>
/// mc and nc only change which loop visits a tile when, never an FMA chain, so they do not change results.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Depth of a k block (see the summary: fixed for reproducible bits).</summary>
    public const int KC = 1024;

    private static readonly long L2 = CpuInfo.Current.L2Bytes;

    /// <summary>Elements of the largest packed op(A) block, over every depth up to <see cref="KC"/> (sizes the buffer).</summary>
    public static readonly long ABlockElements = LargestBlock(L2);

    /// <summary>Rows of op(A) per packed block of depth <paramref name="kc"/>.</summary>
    public static int RowsFor(int kc) => RowsPerBlock(L2, kc);

    /// <summary>Bytes of the packed op(B) panel.</summary>
    public static readonly long PanelBytes = PanelBytesFor(CpuInfo.Current.L3Bytes);

    /// <summary>mc for an L2 of <paramref name="l2Bytes"/> (unknown, ≤ 0: 512 KiB) and blocks <paramref name="kc"/> deep, for 4-byte elements.</summary>
    internal static int RowsPerBlock(long l2Bytes, int kc = KC)
    {
        long l2 = l2Bytes > 0 ? l2Bytes : 512 << 10;
        long rows = (long)(0.3 * l2) / ((long)Math.Max(kc, 1) * 4) / 24 * 24;
        return (int)Math.Clamp(rows, 48, 960);
    }

    /// <summary>The most elements mc·kc of any block, kc = 1 … <see cref="KC"/>.</summary>
    internal static long LargestBlock(long l2Bytes)
    {
        long most = 0;
        for (int kc = 1; kc <= KC; kc++) most = Math.Max(most, (long)RowsPerBlock(l2Bytes, kc) * kc);
        return most;
    }

    /// <summary>Columns of a packed B panel of <paramref name="panelBytes"/> for <paramref name="elementBytes"/>-byte elements, KC deep (a multiple of 32).</summary>
    internal static int PanelColumns(long panelBytes, int elementBytes) => (int)(panelBytes / ((long)KC * elementBytes)) / 32 * 32;

    /// <summary>
    /// Bytes of a buffer that holds the packed B panel of either element type: the columns are rounded down to 32 per
    /// type, so a float panel can be larger than a double one (a 640 KiB panel: 160 float columns, 64 double ones).
    /// </summary>
    internal static long PanelBufferBytes(long panelBytes) =>
        (long)KC * Math.Max(PanelColumns(panelBytes, 4) * 4L, PanelColumns(panelBytes, 8) * 8L);

    /// <summary>The B panel for an L3 of <paramref name="l3Bytes"/> (unknown, ≤ 0: 16 MiB).</summary>
    internal static long PanelBytesFor(long l3Bytes)
    {
        long l3 = l3Bytes > 0 ? l3Bytes : 16 << 20;
        return Math.Clamp(l3 / 8, 512 << 10, 4 << 20);
    }
}
