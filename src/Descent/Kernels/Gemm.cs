using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>Activation applied by a GEMM epilogue after the bias: y = act(α·op(A)·op(B) + β·C + bias).</summary>
internal enum GemmActivation
{
    /// <summary>y = x.</summary>
    None,
    /// <summary>y = max(x, 0).</summary>
    Relu,
}

/// <summary>
/// Blocked, packed GEMM (Goto/BLIS layout): C ← act(α·op(A)·op(B) + β·C + bias), row-major.
/// </summary>
/// <remarks>
/// Loops, outermost first: columns of C in blocks of NC; k in blocks of at most KC (op(B) block packed into
/// NR-wide slivers, kept in L3); rows of C in blocks of MC (op(A) block packed into MR-high slivers, in L2; fewer
/// rows the deeper the k block); the block sizes follow the processor's caches (<see cref="GemmBlocking"/>);
/// then NR × MR tiles computed by a register-blocked micro-kernel (<see cref="GemmMicroKernel512"/>,
/// <see cref="GemmMicroKernel6x2{TV, T}"/>) whose B sliver streams from L2 (<see cref="GemmBlocking"/>: why kc is
/// deep). The k blocks are an even split of k that depends only on k, and each C element is one FMA chain
/// per k block in increasing k, so the result is the same for every thread count and every kernel width.
/// Threads take disjoint blocks of C (a grid that duplicates the least packing); the k sum is never split.
/// When both packed operands are small (<see cref="GemmSharedPackJob{T}"/>) the threads pack them once, together, and share them.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Most k per block (<see cref="GemmBlocking.KC"/>).</summary>
    public const int KC = GemmBlocking.KC;

    /// <summary>Rows of op(A) per packed block of depth kc, from L2 (<see cref="GemmBlocking.RowsFor"/>; a multiple of every MR: 8, 6, 4).</summary>
    public static int MC(int kc) => GemmBlocking.RowsFor(kc);

    /// <summary>Columns of op(B) per packed block, from L3 (<see cref="GemmBlocking.PanelBytes"/>, a multiple of 32).</summary>
    public static int NC<T>() where T : unmanaged => GemmBlocking.PanelColumns(GemmBlocking.PanelBytes, sizeof(T));

    /// <summary>C ← act(α·op(A)·op(B) + β·C + bias[j]); arguments already checked; bias is empty or [n].</summary>
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, ReadOnlySpan<T> bias, GemmActivation activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        fixed (T* pa = a, pb = b, pc = c, pbias = bias)
        {
            T* biasPtr = bias.IsEmpty ? null : pbias;
            bool relu = activation == GemmActivation.Relu;
            if (k == 0 || alpha == T.Zero) { ScaleOnly(m, n, beta, pc, ldc, biasPtr, relu); return; }
            if (GemmSmall.Applies(transA, transB, m, beta)) { GemmSmall.Run(m, n, k, alpha, pa, lda, pb, ldb, pc, ldc, biasPtr, relu); return; }
            var isa = GemmMicroKernel.Isa;
            if (GemmTransposed.Applies<T>(isa, m, n, k, alpha, beta)) { GemmTransposed.Run(isa, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, biasPtr, relu); return; }
            RunPacked(isa, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, biasPtr, relu);
        }
    }

    /// <summary>The packed path on one or more threads (arguments checked, m, n, k &gt; 0).</summary>
    internal static void RunPacked<T>(GemmIsa isa, bool transA, bool transB, int m, int n, int k, T alpha, T* pa, int lda, T* pb, int ldb,
        T beta, T* pc, int ldc, T* biasPtr, bool relu, int thresholdScale = 1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = GemmThreads.For((long)m * n * k, thresholdScale);
        if (threads > 1 && GemmSharedPackJob<T>.Fits(isa, m, n, k))
        {
            GemmSharedPackJob<T>.ForThisThread().Run(isa, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, biasPtr, relu, threads);
            return;
        }
        var job = GemmJob<T>.ForThisThread();
        job.Set(isa, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, biasPtr, relu);
        int parts = job.Split(threads);
        WorkerPool.Shared.Run(job, parts, threads);
        job.Clear();
    }

    /// <summary>C ← act(β·C + bias) when there is nothing to multiply (k = 0 or α = 0).</summary>
    private static void ScaleOnly<T>(int m, int n, T beta, T* c, int ldc, T* bias, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ci = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                T v = beta == T.Zero ? T.Zero : beta * ci[j];
                if (bias != null) v += bias[j];
                if (relu) v = T.Max(v, T.Zero);
                ci[j] = v;
            }
        }
    }

    /// <summary>The blocked loops over one rectangle of C: rows [i0, i1), columns [j0, j1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunBlock<T>(GemmIsa isa, bool transA, bool transB, int k, T alpha, T* a, int lda, T* b, int ldb,
        T beta, T* c, int ldc, T* bias, bool relu, int i0, int i1, int j0, int j1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffers = GemmBuffers.ForThisThread();
        T* bufA = (T*)buffers.A, bufB = (T*)buffers.B, tile = (T*)buffers.Tile;
        int mr = GemmMicroKernel.MR(isa), nr = GemmMicroKernel.NR<T>(isa), ncMax = NC<T>();
        int kBlocks = (k + KC - 1) / KC;
        for (int jc = j0; jc < j1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, j1 - jc);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                int p0 = (int)((long)kb * k / kBlocks), kc = (int)((long)(kb + 1) * k / kBlocks) - p0;
                bool first = kb == 0, last = kb == kBlocks - 1;
                var store = new GemmStore<T>(alpha, first ? beta : T.One, !first || beta != T.Zero, last && relu);
                T* biasBlock = last && bias != null ? bias + jc : null;
                GemmPacking.PackB(transB, b, ldb, p0, kc, jc, nc, nr, bufB);
                int mcMax = MC(kc);
                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    GemmPacking.PackA(transA, a, lda, ic, mc, p0, kc, mr, bufA);
                    RunTiles(isa, kc, bufA, mc, bufB, nc, c + (long)ic * ldc + jc, ldc, biasBlock, in store, tile);
                }
            }
        }
    }

    /// <summary>
    /// The micro-kernel over one packed block pair: C[0..rows, 0..cols] (row stride ldc) ← epilogue(op(A) block · op(B)
    /// block), op(A) as ⌈rows/MR⌉ slivers [kc, MR] at <paramref name="packedA"/> (sliver s at s·MR·kc), op(B) as
    /// ⌈cols/NR⌉ slivers [kc, NR] at <paramref name="packedB"/>; bias at C's columns, or null. B slivers outermost, so
    /// each stays close while every A sliver passes it; a bottom tile of few rows may take the next sliver's with it
    /// (<see cref="GemmMicroKernel.RunPartial{T}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunTiles<T>(GemmIsa isa, int kc, T* packedA, int rows, T* packedB, int cols, T* c, int ldc, T* bias,
        in GemmStore<T> e, T* tile) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = GemmMicroKernel.MR(isa), nr = GemmMicroKernel.NR<T>(isa);
        bool nextDone = false;   // the next sliver's bottom tile was computed with this one's
        for (int jr = 0; jr < cols; jr += nr)
        {
            int w = Math.Min(nr, cols - jr);
            T* pb = packedB + (long)jr * kc, bj = bias == null ? null : bias + jr;
            T* pbNext = jr + 2 * nr <= cols ? pb + (long)nr * kc : null;
            for (int ir = 0; ir < rows; ir += mr)
            {
                int h = Math.Min(mr, rows - ir);
                T* pa = packedA + (long)ir * kc, cp = c + (long)ir * ldc + jr;
                if (h == mr && w == nr) GemmMicroKernel.Run(isa, kc, pa, pb, cp, ldc, bj, in e);
                else GemmMicroKernel.RunPartial(isa, kc, pa, pb, pbNext, cp, ldc, h, w, bj, in e, tile, ref nextDone);
            }
        }
    }
}

/// <summary>Per-thread packing buffers for <see cref="Gemm"/>, allocated once (aligned, unmanaged) and freed with the thread.</summary>
internal sealed unsafe class GemmBuffers
{
    [ThreadStatic] private static GemmBuffers? _current;

    public readonly void* A, B, Tile;   // A: [mc, kc] (the largest), B: [KC, NC], Tile: [MaxMR, 32] elements of up to 8 bytes

    private GemmBuffers()
    {
        A = NativeMemory.AlignedAlloc((nuint)(GemmBlocking.ABlockElements * 8), 64);
        B = NativeMemory.AlignedAlloc((nuint)GemmBlocking.PanelBufferBytes(GemmBlocking.PanelBytes), 64);
        Tile = NativeMemory.AlignedAlloc((nuint)(GemmMicroKernel.MaxMR * 32 * 8), 64);
    }

    ~GemmBuffers()
    {
        NativeMemory.AlignedFree(A); NativeMemory.AlignedFree(B); NativeMemory.AlignedFree(Tile);
    }

    public static GemmBuffers ForThisThread() => _current ??= new GemmBuffers();
}
