using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// The few-rows path of the GEMM (batch-1 inference): for C = act(α·A·Bᵀ + bias) with m ≤ <see cref="MaxRows"/>,
/// each C element is one dot product of a row of A with a row of B, read where they lie — no packing, which for
/// one row would cost more than the arithmetic. Used only when β = 0; the choice depends on the shape alone,
/// so results stay independent of the thread count.
/// </summary>
internal static unsafe class GemmSmall
{
    /// <summary>Most rows of C this path takes.</summary>
    public const int MaxRows = 4;

    /// <summary>Whether this path applies (A·Bᵀ, few rows, β = 0).</summary>
    public static bool Applies<T>(bool transA, bool transB, int m, T beta) where T : unmanaged, IFloatingPointIeee754<T> =>
        !transA && transB && m <= MaxRows && beta == T.Zero;

    /// <summary>C[i, j] = act(α·⟨A[i, :], B[j, :]⟩ + bias[j]).</summary>
    public static void Run<T>(int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T* c, int ldc, T* bias, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ai = a + (long)i * lda;
            T* ci = c + (long)i * ldc;
            for (int j = 0; j < n; j++) ci[j] = TensorPrimitives.Dot(new ReadOnlySpan<T>(ai, k), new ReadOnlySpan<T>(b + (long)j * ldb, k));
            for (int j = 0; j < n; j++)
            {
                T v = alpha * ci[j];
                if (bias != null) v += bias[j];
                ci[j] = relu ? T.Max(v, T.Zero) : v;
            }
        }
    }
}
