using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// The few-rows path of the GEMM (batch-1 inference): for C = act(α·A·Bᵀ + bias) with m ≤ <see cref="MaxRows"/>,
/// each C element is one dot product of a row of A with a row of B, read where they lie — no packing, which for
/// one row would cost more than the arithmetic. Large enough products split the columns of C over the worker
/// pool (each element is still one dot product, so any split gives the same bits). Used only when β = 0; the
/// choice depends on the shape alone, so results stay independent of the thread count.
/// </summary>
internal static unsafe class GemmSmall
{
    /// <summary>Most rows of C this path takes.</summary>
    public const int MaxRows = 4;

    /// <summary>
    /// Divides the packed GEMM's split threshold (<see cref="GemmThreads"/>): dot products run at about half the packed
    /// kernel's rate, so the same hand-off pays for half the multiply-adds.
    /// </summary>
    private const int ThresholdScale = 2;

    /// <summary>Whether this path applies (A·Bᵀ, few rows, β = 0).</summary>
    public static bool Applies<T>(bool transA, bool transB, int m, T beta) where T : unmanaged, IFloatingPointIeee754<T> =>
        !transA && transB && m <= MaxRows && beta == T.Zero;

    /// <summary>C[i, j] = act(α·⟨A[i, :], B[j, :]⟩ + bias[j]).</summary>
    public static void Run<T>(int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T* c, int ldc, T* bias, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = Math.Min(GemmThreads.For((long)m * n * k, ThresholdScale), n);
        var job = Job<T>.ForThisThread();
        job.Set(m, n, k, alpha, a, lda, b, ldb, c, ldc, bias, relu, threads);
        WorkerPool.Shared.Run(job, threads, threads);
    }

    /// <summary>Columns [n·part/parts, n·(part+1)/parts) of C, for every row.</summary>
    private sealed class Job<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static Job<T>? _current;
        private int _m, _n, _k, _lda, _ldb, _ldc, _parts;
        private T _alpha;
        private T* _a, _b, _c, _bias;
        private bool _relu;

        public static Job<T> ForThisThread() => _current ??= new Job<T>();

        public void Set(int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T* c, int ldc, T* bias, bool relu, int parts)
        {
            (_m, _n, _k, _alpha, _lda, _ldb, _ldc, _relu, _parts) = (m, n, k, alpha, lda, ldb, ldc, relu, parts);
            _a = a; _b = b; _c = c; _bias = bias;
        }

        public void Run(int part)
        {
            int j0 = (int)((long)_n * part / _parts), j1 = (int)((long)_n * (part + 1) / _parts);
            if (Lanes.Wide<T>()) Columns<Lanes512<T>>(j0, j1);
            else if (Lanes.Narrow<T>()) Columns<LanesN<T>>(j0, j1);
            else Columns<Lane1<T>>(j0, j1);
        }

        /// <summary>C[i, j] for every row and j in [j0, j1): four columns at a time share the loads of A's row.</summary>
        private void Columns<TV>(int j0, int j1) where TV : struct, ILanes<TV, T>
        {
            for (int i = 0; i < _m; i++)
            {
                T* ai = _a + (long)i * _lda, ci = _c + (long)i * _ldc;
                int j = j0;
                for (; j <= j1 - 8; j += 8) Dot8<TV>(ai, j, ci);
                for (; j <= j1 - 4; j += 4)
                {
                    Dot4<TV>(ai, _b + (long)j * _ldb, _ldb, _k, out T d0, out T d1, out T d2, out T d3);
                    ci[j] = Finish(d0, j); ci[j + 1] = Finish(d1, j + 1); ci[j + 2] = Finish(d2, j + 2); ci[j + 3] = Finish(d3, j + 3);
                }
                for (; j < j1; j++) ci[j] = Finish(Dot1<TV>(ai, _b + (long)j * _ldb, _k), j);
            }
        }

        private T Finish(T dot, int j)
        {
            T v = _alpha * dot;
            if (_bias != null) v += _bias[j];
            return _relu ? T.Max(v, T.Zero) : v;
        }

        /// <summary>⟨a, b⟩ over k: lane-wise FMA chains in increasing p, the lanes summed, then the tail by scalar FMAs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static T Dot1<TV>(T* a, T* b, int k) where TV : struct, ILanes<TV, T>
        {
            var sa = new ReadOnlySpan<T>(a, k); var sb = new ReadOnlySpan<T>(b, k);
            TV acc = TV.Splat(T.Zero);
            int p = 0, w = TV.Count;
            for (; p <= k - w; p += w) acc = TV.MultiplyAdd(TV.Load(sa, p), TV.Load(sb, p), acc);
            T s = acc.Sum();
            for (; p < k; p++) s = T.FusedMultiplyAdd(a[p], b[p], s);
            return s;
        }

        /// <summary>
        /// Eight dot products ⟨a, B[j + r, :]⟩ finished into c[j..j+8), each rounded exactly as <see cref="Dot1{TV}"/>
        /// would: eight independent FMA chains keep both FMA pipes busy (four leave half the FMA latency idle), and one load
        /// of A's row serves eight rows of B.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Dot8<TV>(T* a, int j, T* c) where TV : struct, ILanes<TV, T>
        {
            int k = _k;
            nint ldb = _ldb;
            // Eight row pointers, loaded from at one offset: the loop then keeps them all in registers.
            T* b0 = _b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb;
            TV c0 = TV.Splat(T.Zero), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
            nint p = 0, w = TV.Count, end = k - w;
            for (; p <= end; p += w)
            {
                var x = TV.Load(a + p);
                c0 = TV.MultiplyAdd(x, TV.Load(b0 + p), c0);
                c1 = TV.MultiplyAdd(x, TV.Load(b1 + p), c1);
                c2 = TV.MultiplyAdd(x, TV.Load(b2 + p), c2);
                c3 = TV.MultiplyAdd(x, TV.Load(b3 + p), c3);
                c4 = TV.MultiplyAdd(x, TV.Load(b4 + p), c4);
                c5 = TV.MultiplyAdd(x, TV.Load(b5 + p), c5);
                c6 = TV.MultiplyAdd(x, TV.Load(b6 + p), c6);
                c7 = TV.MultiplyAdd(x, TV.Load(b7 + p), c7);
            }
            T d0 = c0.Sum(), d1 = c1.Sum(), d2 = c2.Sum(), d3 = c3.Sum(), d4 = c4.Sum(), d5 = c5.Sum(), d6 = c6.Sum(), d7 = c7.Sum();
            for (; p < k; p++)
            {
                T ap = a[p];
                d0 = T.FusedMultiplyAdd(ap, b0[p], d0); d1 = T.FusedMultiplyAdd(ap, b1[p], d1);
                d2 = T.FusedMultiplyAdd(ap, b2[p], d2); d3 = T.FusedMultiplyAdd(ap, b3[p], d3);
                d4 = T.FusedMultiplyAdd(ap, b4[p], d4); d5 = T.FusedMultiplyAdd(ap, b5[p], d5);
                d6 = T.FusedMultiplyAdd(ap, b6[p], d6); d7 = T.FusedMultiplyAdd(ap, b7[p], d7);
            }
            c[j] = Finish(d0, j); c[j + 1] = Finish(d1, j + 1); c[j + 2] = Finish(d2, j + 2); c[j + 3] = Finish(d3, j + 3);
            c[j + 4] = Finish(d4, j + 4); c[j + 5] = Finish(d5, j + 5); c[j + 6] = Finish(d6, j + 6); c[j + 7] = Finish(d7, j + 7);
        }

        /// <summary>Four dot products ⟨a, b_r⟩ (rows b + r·ldb), each rounded exactly as <see cref="Dot1{TV}"/> would.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Dot4<TV>(T* a, T* b, int ldb, int k, out T d0, out T d1, out T d2, out T d3) where TV : struct, ILanes<TV, T>
        {
            var sa = new ReadOnlySpan<T>(a, k);
            var s0 = new ReadOnlySpan<T>(b, k); var s1 = new ReadOnlySpan<T>(b + ldb, k);
            var s2 = new ReadOnlySpan<T>(b + 2L * ldb, k); var s3 = new ReadOnlySpan<T>(b + 3L * ldb, k);
            TV c0 = TV.Splat(T.Zero), c1 = c0, c2 = c0, c3 = c0;
            int p = 0, w = TV.Count;
            for (; p <= k - w; p += w)
            {
                var x = TV.Load(sa, p);
                c0 = TV.MultiplyAdd(x, TV.Load(s0, p), c0);
                c1 = TV.MultiplyAdd(x, TV.Load(s1, p), c1);
                c2 = TV.MultiplyAdd(x, TV.Load(s2, p), c2);
                c3 = TV.MultiplyAdd(x, TV.Load(s3, p), c3);
            }
            d0 = c0.Sum(); d1 = c1.Sum(); d2 = c2.Sum(); d3 = c3.Sum();
            for (; p < k; p++)
            {
                d0 = T.FusedMultiplyAdd(a[p], s0[p], d0); d1 = T.FusedMultiplyAdd(a[p], s1[p], d1);
                d2 = T.FusedMultiplyAdd(a[p], s2[p], d2); d3 = T.FusedMultiplyAdd(a[p], s3[p], d3);
            }
        }
    }
}
