using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// One GEMM call as a parallel job: C split into a grid of disjoint blocks (in whole tiles), each
/// computed by <see cref="Gemm.RunBlock"/> with its own packing buffers. One reusable instance per calling
/// thread, so a call allocates nothing. Which split runs where does not change any result.
/// </summary>
internal sealed unsafe class GemmJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmJob<T>? _current;

    private GemmIsa _isa;
    private bool _transA, _transB, _relu;
    private int _m, _n, _k, _lda, _ldb, _ldc, _mr, _nr, _rowTiles, _colTiles, _gridRows = 1, _gridCols = 1;
    private T _alpha, _beta;
    private T* _a, _b, _c, _bias;

    public static GemmJob<T> ForThisThread() => _current ??= new GemmJob<T>();

    public void Set(GemmIsa isa, bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb,
        T beta, T* c, int ldc, T* bias, bool relu)
    {
        (_isa, _transA, _transB, _m, _n, _k, _alpha, _lda, _ldb, _beta, _ldc, _relu) = (isa, transA, transB, m, n, k, alpha, lda, ldb, beta, ldc, relu);
        _a = a; _b = b; _c = c; _bias = bias;
    }

    /// <summary>
    /// Products of at least this many multiply-adds (2²⁶, ≈ 0.4 ms a thread on two cores) take one part a thread: packing
    /// once less pays more than the balance a second part gives. Zen 3, two threads, best of 8 interleaved calls: 1024³
    /// 171.6 → 176.1 GFLOP/s, 2048³ 172.2 → 179.2, 512³ 167.6 → 174.5.
    /// </summary>
    internal const long OnePartPerThread = 1L << 26;

    /// <summary>
    /// Chooses a grid of parts over C's tiles and returns the part count: below <see cref="OnePartPerThread"/>, 2 parts a
    /// thread when there are enough tiles, so a thread that another process delays leaves its second part to the others
    /// (parts are claimed dynamically). A part in grid row r, column c packs its rows of op(A) and its columns of op(B),
    /// so a grid of R × C parts packs op(A) C times and op(B) R times: pick the R × C that packs least.
    /// </summary>
    public int Split(int threads)
    {
        int partsPerThread = (long)_m * _n * _k >= OnePartPerThread ? 1 : 2;
        int mr = GemmMicroKernel.MR(_isa), nr = GemmMicroKernel.NR<T>(_isa);
        _rowTiles = (_m + mr - 1) / mr; _colTiles = (_n + nr - 1) / nr;
        (_mr, _nr) = (mr, nr);
        for (int want = threads <= 1 ? 1 : partsPerThread * threads; want > 1; want--)
        {
            long best = long.MaxValue;
            for (int r = 1; r <= want; r++)
            {
                if (want % r != 0 || r > _rowTiles || want / r > _colTiles) continue;
                int c = want / r;
                long cost = c * (long)_m * _k + r * (long)_k * _n;
                if (cost < best) (best, _gridRows, _gridCols) = (cost, r, c);
            }
            if (best != long.MaxValue) return _gridRows * _gridCols;
        }
        (_gridRows, _gridCols) = (1, 1);
        return 1;
    }

    public void Run(int part)
    {
        int r = part / _gridCols, c = part % _gridCols;
        int i0 = (int)((long)r * _rowTiles / _gridRows) * _mr, i1 = Math.Min(_m, (int)((long)(r + 1) * _rowTiles / _gridRows) * _mr);
        int j0 = (int)((long)c * _colTiles / _gridCols) * _nr, j1 = Math.Min(_n, (int)((long)(c + 1) * _colTiles / _gridCols) * _nr);
        if (i0 >= i1 || j0 >= j1) return;
        Gemm.RunBlock(_isa, _transA, _transB, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc, _bias, _relu, i0, i1, j0, j1);
    }

    /// <summary>Drops the pointers once the call is over.</summary>
    public void Clear() { _a = _b = _c = _bias = null; }
}
