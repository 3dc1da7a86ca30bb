using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// The GEMM computed as its transpose, Cᵀ = op(B)ᵀ·op(A)ᵀ, into a scratch [n, m], then written into C through the same
/// epilogue, when C is narrow: few columns and many rows (logits [128, 10] = x·Wᵀ), where the micro-kernel's NR-wide
/// tiles would be mostly padding (10 of 32 columns) and the transpose's MR-high tiles much less (10 of 16).
/// (Tried and measured slower: the transpose of x·Wᵀ for W [256, 784] and x [128, 784], which packs x instead of Wᵀ
/// but reads W in place once per column part of Cᵀ.)
/// </summary>
/// <remarks>
/// Bits: every element of Cᵀ is the FMA chain Σₚ op(B)[p, j]·op(A)[i, p] in increasing p, the same products in the
/// same order as the direct path (an FMA does not care which factor is which); with one k-block (k ≤ KC) or α = 1,
/// β = 0 the epilogue then rounds exactly as the direct path's, so both paths give the same bits. The choice depends
/// on the shape alone, so results stay independent of the thread count.
/// </remarks>
internal static unsafe class GemmTransposed
{
    /// <summary>Largest C (elements) this path takes (its scratch).</summary>
    public const int MaxElements = 1 << 16;

    /// <summary>Whether the transposed product is clearly cheaper (and the bits stay the same).</summary>
    public static bool Applies<T>(GemmIsa isa, int m, int n, int k, T alpha, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((long)m * n > MaxElements || (k > Gemm.KC && !(alpha == T.One && beta == T.Zero))) return false;
        int mr = GemmMicroKernel.MR(isa), nr = GemmMicroKernel.NR<T>(isa);
        long direct = Round(m, mr) * Round(n, nr), transposed = Round(n, mr) * Round(m, nr);
        return 4 * transposed <= 3 * direct;   // narrow C
    }

    private static long Round(int x, int to) => (x + to - 1L) / to * to;

    /// <summary>C ← act(α·op(A)·op(B) + β·C + bias) through Cᵀ = op(B)ᵀ·op(A)ᵀ in a scratch.</summary>
    public static void Run<T>(GemmIsa isa, bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb,
        T beta, T* c, int ldc, T* bias, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* t = Scratch<T>.ForThisThread();
        // op(B)ᵀ is B read with the opposite flag, op(A)ᵀ likewise; raw sums (α = 1, β = 0, no epilogue) into t [n, m].
        Gemm.RunPacked(isa, !transB, !transA, n, m, k, T.One, b, ldb, a, lda, T.Zero, t, m, null, false, thresholdScale: 4);
        int blk = GemmTranspose.Block<T>();
        if (GemmTranspose.IsAccelerated && m % blk == 0 && n % blk == 0) StoreBlocks(t, m, n, alpha, beta, c, ldc, bias, relu);
        else Store(t, m, n, alpha, beta, c, ldc, bias, relu);
    }

    /// <summary>
    /// <see cref="Store{T}"/> a square block at a time: an in-register transpose of t's block, then the epilogue on each
    /// row of the block as one vector (the same operations per element, so the same bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreBlocks<T>(T* t, int m, int n, T alpha, T beta, T* c, int ldc, T* bias, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int blk = GemmTranspose.Block<T>();   // Vector256<T>.Count
        T* tmp = stackalloc T[blk * blk];
        bool loadC = beta != T.Zero;
        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        for (int j = 0; j < n; j += blk)
        {
            var vbias = bias != null ? Vector256.Load(bias + j) : Vector256<T>.Zero;
            for (int i = 0; i < m; i += blk)
            {
                GemmTranspose.Block(t + (long)j * m + i, m, tmp, blk);   // tmp[q, r] = t[j + r, i + q] = C[i + q, j + r]
                for (int q = 0; q < blk; q++)
                {
                    T* ci = c + (long)(i + q) * ldc + j;
                    var acc = Vector256.Load(tmp + q * blk);
                    var v = loadC ? Fma(acc, va, Vector256.Load(ci) * vb) : acc * va;
                    if (bias != null) v += vbias;
                    if (relu) v = Vector256.Max(v, Vector256<T>.Zero);
                    v.Store(ci);
                }
            }
        }
    }

    private static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    /// <summary>C[i, j] ← act(α·t[j, i] + β·C[i, j] + bias[j]), rounded as <see cref="GemmStore{T}"/> rounds (a method of its own, so the loop keeps its values in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store<T>(T* t, int m, int n, T alpha, T beta, T* c, int ldc, T* bias, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool loadC = beta != T.Zero;
        for (int i = 0; i < m; i++)
        {
            T* ci = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                T acc = t[(long)j * m + i];
                T v = loadC ? T.FusedMultiplyAdd(acc, alpha, ci[j] * beta) : acc * alpha;
                if (bias != null) v += bias[j];
                if (relu) v = T.Max(v, T.Zero);
                ci[j] = v;
            }
        }
    }

    /// <summary>A per-thread scratch of <see cref="MaxElements"/> elements, allocated once.</summary>
    private sealed class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static Scratch<T>? _current;
        private readonly T* _p = (T*)NativeMemory.AlignedAlloc((nuint)(MaxElements * sizeof(T)), 64);
        ~Scratch() => NativeMemory.AlignedFree(_p);
        public static T* ForThisThread() => (_current ??= new Scratch<T>())._p;
    }
}
