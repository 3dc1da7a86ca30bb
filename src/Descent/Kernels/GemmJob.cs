using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// One GEMM call as a parallel job: C split into disjoint row or column ranges (in whole tiles), each
/// computed by <see cref="Gemm.RunBlock"/> with its own packing buffers. One reusable instance per calling
/// thread, so a call allocates nothing. Which split runs where does not change any result.
/// </summary>
internal sealed unsafe class GemmJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static GemmJob<T>? _current;

    private GemmIsa _isa;
    private bool _transA, _transB, _relu, _splitRows;
    private int _m, _n, _k, _lda, _ldb, _ldc, _parts, _tiles, _tile;
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
    /// Chooses the split for up to <paramref name="threads"/> parts and returns the part count. Splitting rows
    /// makes every part pack all of op(B) (k·n), splitting columns all of op(A) (m·k): split the dimension whose
    /// whole other operand is smaller.
    /// </summary>
    public int Split(int threads)
    {
        int mr = GemmMicroKernel.MR(_isa), nr = GemmMicroKernel.NR<T>(_isa);
        _splitRows = _m > _n;
        _tile = _splitRows ? mr : nr;
        _tiles = ((_splitRows ? _m : _n) + _tile - 1) / _tile;
        _parts = Math.Clamp(Math.Min(threads, _tiles), 1, int.MaxValue);
        return _parts;
    }

    public void Run(int part)
    {
        int t0 = (int)((long)part * _tiles / _parts) * _tile, t1 = (int)((long)(part + 1) * _tiles / _parts) * _tile;
        int i0 = 0, i1 = _m, j0 = 0, j1 = _n;
        if (_splitRows) { i0 = t0; i1 = Math.Min(t1, _m); } else { j0 = t0; j1 = Math.Min(t1, _n); }
        if (i0 >= i1 || j0 >= j1) return;
        Gemm.RunBlock(_isa, _transA, _transB, _k, _alpha, _a, _lda, _b, _ldb, _beta, _c, _ldc, _bias, _relu, i0, i1, j0, j1);
    }

    /// <summary>Drops the pointers once the call is over.</summary>
    public void Clear() { _a = _b = _c = _bias = null; }
}
