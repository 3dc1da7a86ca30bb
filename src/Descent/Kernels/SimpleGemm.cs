using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// A vectorized GEMM without packing: row-times-panel AXPY for A·B and Aᵀ·B, dot products for A·Bᵀ.
/// Each C element is summed over k in increasing order, so results do not depend on threads.
/// </summary>
internal static class SimpleGemm
{
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * ldc, n);
            if (beta == T.Zero) ci.Clear();
            else if (beta != T.One) TensorPrimitives.Multiply(ci, beta, ci);
        }
        if (k == 0 || alpha == T.Zero) return;

        if (!transB)
        {
            // C[i, :] += α·op(A)[i, p] · B[p, :]
            for (int i = 0; i < m; i++)
            {
                var ci = c.Slice(i * ldc, n);
                for (int p = 0; p < k; p++)
                {
                    T av = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                    if (av == T.Zero) continue;
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), av, ci, ci);
                }
            }
        }
        else if (!transA)
        {
            // C[i, j] += α·⟨A[i, :], B[j, :]⟩
            for (int i = 0; i < m; i++)
            {
                var ai = a.Slice(i * lda, k);
                for (int j = 0; j < n; j++)
                    c[i * ldc + j] += alpha * TensorPrimitives.Dot(ai, b.Slice(j * ldb, k));
            }
        }
        else
        {
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    T s = T.Zero;
                    for (int p = 0; p < k; p++) s += a[p * lda + i] * b[j * ldb + p];
                    c[i * ldc + j] += alpha * s;
                }
        }
    }
}
