using System.Numerics;
using System.Numerics.Tensors;

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

    /// <summary>Fewest multiply-adds worth waking a second thread for.</summary>
    private const long ParallelWork = 1 << 15;

    /// <summary>Whether this path applies (A·Bᵀ, few rows, β = 0).</summary>
    public static bool Applies<T>(bool transA, bool transB, int m, T beta) where T : unmanaged, IFloatingPointIeee754<T> =>
        !transA && transB && m <= MaxRows && beta == T.Zero;

    /// <summary>C[i, j] = act(α·⟨A[i, :], B[j, :]⟩ + bias[j]).</summary>
    public static void Run<T>(int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T* c, int ldc, T* bias, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = (long)m * n * k < ParallelWork ? 1 : Math.Min(Threading.MaxThreads, n);
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
            for (int i = 0; i < _m; i++)
            {
                var ai = new ReadOnlySpan<T>(_a + (long)i * _lda, _k);
                T* ci = _c + (long)i * _ldc;
                for (int j = j0; j < j1; j++)
                {
                    T v = _alpha * TensorPrimitives.Dot(ai, new ReadOnlySpan<T>(_b + (long)j * _ldb, _k));
                    if (_bias != null) v += _bias[j];
                    ci[j] = _relu ? T.Max(v, T.Zero) : v;
                }
            }
        }
    }
}
