using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// A multi-threaded GEMM whose packed operands are shared by all threads: first the threads pack the whole of
/// op(A) and op(B) together (each panel sliver once; op(B) is left to the parts when each column is one part's, see
/// below), then they compute disjoint blocks of C from the shared panels.
/// </summary>
/// <remarks>
/// <para>Why: in <see cref="GemmJob{T}"/> every part packs its own rows of op(A) and columns of op(B), so a grid of
/// R × C parts packs op(A) C times and op(B) R times. For the layer shapes of a small network (e.g. x·Wᵀ with
/// x [128, 784], W [256, 784]) packing is then a third of the call; here it is done once, split over the threads.
/// The price is one more pass through the worker pool (a barrier between packing and computing), and panels that
/// must fit <see cref="MaxPanelBytes"/>.</para>
/// <para>When the compute grid splits only C's columns, each column of op(B) belongs to one part: then op(B) is not
/// shared but packed by the part that reads it, k block by k block, into its thread's buffer (still once per element),
/// so its lines never move between cores; only op(A) is packed together. Zen 3, two threads, in the same runs: 128×784 ·
/// 784×256 157–161 → 161–162 GFLOP/s, dW 256×784 (k 128) 160 → 165–166, dX 128×784 (k 256) 165–167 → 167–169.</para>
/// <para>Layout: for k block kb (starting at p0, kc deep) op(A) is packed at A + p0·Mp as Mp/MR slivers [kc, MR]
/// (Mp = m rounded up to MR), op(B) at B + p0·Np as Np/NR slivers [kc, NR]. The k blocks, the micro-kernel and
/// the order of the FMAs into each C element are those of <see cref="Gemm.RunBlock"/>, so the bits are the same.</para>
/// </remarks>
internal sealed unsafe class GemmSharedPackJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest op(A) plus op(B) panel this job packs whole (else <see cref="GemmJob{T}"/> runs).</summary>
    public const long MaxPanelBytes = 2L << 20;

    /// <summary>Rows of op(A) (in slivers of MR) and columns of op(B) (in slivers of NR) per packing part.</summary>
    private const int RowSliversPerPart = 4, ColSliversPerPart = 2;

    [ThreadStatic] private static GemmSharedPackJob<T>? _current;

    private GemmIsa _isa;
    private bool _transA, _transB, _relu, _packing, _directA, _directB, _packBInCompute;
    private int _m, _n, _k, _lda, _ldb, _ldc, _mr, _nr, _mp, _np, _kBlocks;
    private int _aParts, _aPartsPerBlock, _bPartsPerBlock, _gridRows, _gridCols, _rowTiles, _colTiles;
    private T _alpha, _beta;
    private T* _a, _b, _c, _bias;
    private T* _panels;        // [Mp·k] packed op(A), then [Np·k] packed op(B) when it is shared
    private long _panelElements;

    public static GemmSharedPackJob<T> ForThisThread() => _current ??= new GemmSharedPackJob<T>();

    ~GemmSharedPackJob() { if (_panels != null) NativeMemory.AlignedFree(_panels); }

    /// <summary>Whether the whole packed op(A) and op(B) of an m × n × k product fit <see cref="MaxPanelBytes"/>.</summary>
    public static bool Fits(GemmIsa isa, int m, int n, int k)
    {
        int mr = GemmMicroKernel.MR(isa), nr = GemmMicroKernel.NR<T>(isa);
        long mp = (m + mr - 1) / mr * (long)mr, np = (n + nr - 1) / nr * (long)nr;
        return (mp + np) * k * sizeof(T) <= MaxPanelBytes;
    }

    /// <summary>Packs both operands on up to <paramref name="threads"/> threads, then computes C on them.</summary>
    public void Run(GemmIsa isa, bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb,
        T beta, T* c, int ldc, T* bias, bool relu, int threads)
    {
        (_isa, _transA, _transB, _m, _n, _k, _alpha, _lda, _ldb, _beta, _ldc, _relu) = (isa, transA, transB, m, n, k, alpha, lda, ldb, beta, ldc, relu);
        _a = a; _b = b; _c = c; _bias = bias;
        _mr = GemmMicroKernel.MR(isa); _nr = GemmMicroKernel.NR<T>(isa);
        _rowTiles = (m + _mr - 1) / _mr; _colTiles = (n + _nr - 1) / _nr;
        _mp = _rowTiles * _mr; _np = _colTiles * _nr;
        _kBlocks = (k + Gemm.KC - 1) / Gemm.KC;

        // The 512-bit kernel reads op(A) in place (Aᵀ by rows; A by eight row streams, the sliver's rows) and op(B) in place
        // when B is stored k-major (not transposed), with no packing, when every tile is whole (or, on the right, half): a
        // weight gradient Gᵀ·X and an input gradient G·W then pack nothing, a forward X·Wᵀ packs only Wᵀ.
        // Same values read, same FMA chains: the same bits.
        bool whole = isa == GemmIsa.Vector512 && m % _mr == 0 && (n % _nr == 0 || 2 * (n % _nr) == _nr);
        _directA = whole;            // Aᵀ by rows, or A by eight row streams
        _directB = whole && !transB;

        // The compute grid: C's columns first (2 parts a thread).
        int want = 2 * threads;
        _gridCols = Math.Min(want, _colTiles);
        _gridRows = Math.Max(1, Math.Min(want / _gridCols, _rowTiles));
        _packBInCompute = !_directB && _gridRows == 1;   // each column of op(B) is one part's
        EnsurePanels((long)(_mp + (_packBInCompute ? 0 : _np)) * k);

        // Phase 1: pack. Parts are runs of slivers of one k block, op(A)'s (the dearer per element) first.
        _aPartsPerBlock = _directA ? 0 : (_rowTiles + RowSliversPerPart - 1) / RowSliversPerPart;
        _bPartsPerBlock = _directB || _packBInCompute ? 0 : (_colTiles + ColSliversPerPart - 1) / ColSliversPerPart;
        _aParts = _kBlocks * _aPartsPerBlock;
        _packing = true;
        WorkerPool.Shared.Run(this, _aParts + _kBlocks * _bPartsPerBlock, threads);

        // Phase 2: compute.
        _packing = false;
        WorkerPool.Shared.Run(this, _gridRows * _gridCols, threads);
        _a = _b = _c = _bias = null;
    }

    private void EnsurePanels(long elements)
    {
        if (elements <= _panelElements) return;
        if (_panels != null) NativeMemory.AlignedFree(_panels);
        _panels = (T*)NativeMemory.AlignedAlloc((nuint)(elements * sizeof(T)), 64);
        _panelElements = elements;
    }

    /// <summary>The first k index and depth of k block kb (the same even split as <see cref="Gemm.RunBlock"/>).</summary>
    private (int P0, int Kc) KBlock(int kb)
    {
        int p0 = (int)((long)kb * _k / _kBlocks);
        return (p0, (int)((long)(kb + 1) * _k / _kBlocks) - p0);
    }

    public void Run(int part)
    {
        if (_packing) Pack(part);
        else Compute(part);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(int part)
    {
        if (part < _aParts)
        {
            int kb = part / _aPartsPerBlock, s0 = part % _aPartsPerBlock * RowSliversPerPart;
            var (p0, kc) = KBlock(kb);
            int i0 = s0 * _mr, rows = Math.Min(RowSliversPerPart * _mr, _m - i0);
            GemmPacking.PackA(_transA, _a, _lda, i0, rows, p0, kc, _mr, _panels + (long)p0 * _mp + (long)i0 * kc);
        }
        else
        {
            part -= _aParts;
            int kb = part / _bPartsPerBlock, s0 = part % _bPartsPerBlock * ColSliversPerPart;
            var (p0, kc) = KBlock(kb);
            int j0 = s0 * _nr, cols = Math.Min(ColSliversPerPart * _nr, _n - j0);
            GemmPacking.PackB(_transB, _b, _ldb, p0, kc, j0, cols, _nr, _panels + (long)_mp * _k + (long)p0 * _np + (long)j0 * kc);
        }
    }

    /// <summary>One block of C (grid row, grid column) over every k block, from the shared panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int part)
    {
        int r = part / _gridCols, cIdx = part % _gridCols;
        int i0 = (int)((long)r * _rowTiles / _gridRows) * _mr, i1 = Math.Min(_m, (int)((long)(r + 1) * _rowTiles / _gridRows) * _mr);
        int j0 = (int)((long)cIdx * _colTiles / _gridCols) * _nr, j1 = Math.Min(_n, (int)((long)(cIdx + 1) * _colTiles / _gridCols) * _nr);
        if (i0 >= i1 || j0 >= j1) return;
        var buffers = GemmBuffers.ForThisThread();
        T* tile = (T*)buffers.Tile, localB = (T*)buffers.B;
        T* packedB = _panels + (long)_mp * _k;
        for (int kb = 0; kb < _kBlocks; kb++)
        {
            var (p0, kc) = KBlock(kb);
            bool first = kb == 0, last = kb == _kBlocks - 1;
            var store = new GemmStore<T>(_alpha, first ? _beta : T.One, !first || _beta != T.Zero, last && _relu);
            T* biasBlock = last && _bias != null ? _bias : null;
            T* aBlock = !_directA ? _panels + (long)p0 * _mp : _transA ? _a + (long)p0 * _lda : _a + p0, bBlock = _directB ? _b + (long)p0 * _ldb : packedB + (long)p0 * _np;
            // op(A)[i, p] is at aBlock[(p − p0)·sa + i·ra]: packed (sa = MR, ra = 1), Aᵀ in place (lda, 1), A in place (1, lda).
            int sa = !_directA ? _mr : _transA ? _lda : 1, ra = _directA && !_transA ? _lda : 1, sb = _directB ? _ldb : _nr;
            int chunk = _packBInCompute ? Gemm.NC<T>() : j1 - j0;   // columns of op(B) packed at a time
            for (int jc = j0; jc < j1; jc += chunk)
            {
                int jcEnd = Math.Min(j1, jc + chunk);
                if (_packBInCompute)
                {
                    GemmPacking.PackB(_transB, _b, _ldb, p0, kc, jc, jcEnd - jc, _nr, localB);
                    bBlock = localB - (long)jc * kc;   // sliver jr at bBlock + jr·kc, as in the shared panel
                }
                int mcMax = Gemm.MC(kc);
                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int icEnd = Math.Min(i1, ic + mcMax);
                    if (!_directA && !_directB)
                    {
                        Gemm.RunTiles(_isa, kc, aBlock + (long)ic * kc, icEnd - ic, bBlock + (long)jc * kc, jcEnd - jc,
                            _c + (long)ic * _ldc + jc, _ldc, biasBlock == null ? null : biasBlock + jc, in store, tile);
                        continue;
                    }
                    // The 512-bit kernel with an operand in place: whole tiles only (see Run).
                    for (int jr = jc; jr < jcEnd; jr += _nr)
                    {
                        int cols = Math.Min(_nr, jcEnd - jr);
                        T* pb = bBlock + (_directB ? jr : (long)jr * kc), bj = biasBlock == null ? null : biasBlock + jr;
                        for (int ir = ic; ir < icEnd; ir += _mr)
                        {
                            T* pa = aBlock + (!_directA ? (long)ir * kc : _transA ? ir : (long)ir * _lda), cp = _c + (long)ir * _ldc + jr;
                            if (cols == _nr) GemmMicroKernel512.Run(kc, pa, sa, ra, pb, sb, cp, _ldc, bj, in store);
                            else GemmMicroKernel512.RunHalf(kc, pa, sa, ra, pb, sb, cp, _ldc, bj, in store);
                        }
                    }
                }
            }
        }
    }
}
