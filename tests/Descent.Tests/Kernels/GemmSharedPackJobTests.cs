using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>Packing both operands once and sharing them gives bitwise the per-part-packing GEMM, for every shape kind.</summary>
[Collection("Threading")]
public class GemmSharedPackJobTests
{
    // Ragged tiles, several k blocks (k = 600, 784), every transpose, β ≠ 0, bias and ReLU; operands read in place
    // (Aᵀ and B with whole or half tiles: 256×784, 128×256, 64×96 over 3 k blocks; B alone for A·B 128×256).
    public static TheoryData<bool, bool, int, int, int> Shapes => new()
    {
        { false, false, 150, 300, 600 }, { false, true, 128, 256, 784 }, { true, false, 256, 784, 128 }, { true, true, 37, 91, 300 },
        { false, false, 128, 10, 128 }, { false, true, 9, 33, 17 },
        { true, false, 128, 256, 128 }, { false, false, 128, 256, 128 }, { true, false, 64, 96, 600 }, { true, true, 64, 64, 40 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void SameBitsAsThePerPartJob(bool transA, bool transB, int m, int n, int k)
    {
        Check<float>(transA, transB, m, n, k);
        Check<double>(transA, transB, m, n, k);
    }

    private static unsafe void Check<T>(bool transA, bool transB, int m, int n, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng((ulong)(m * 7 + n * 3 + k));
        T[] Fill(int len) { var v = new T[len]; for (int i = 0; i < len; i++) v[i] = T.CreateTruncating(rng.Uniform(-2, 2)); return v; }
        var (a, b, c0, bias) = (Fill(m * k), Fill(k * n), Fill(m * n), Fill(n));
        int lda = transA ? m : k, ldb = transB ? k : n;
        var isa = GemmMicroKernel.Isa;
        T beta = T.CreateTruncating(0.5);
        var expected = (T[])c0.Clone();
        fixed (T* pa = a, pb = b, pc = expected, pbias = bias)
        {
            var job = new GemmJob<T>();
            job.Set(isa, transA, transB, m, n, k, T.One, pa, lda, pb, ldb, beta, pc, n, pbias, true);
            job.Split(1);
            job.Run(0);
        }
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            var got = (T[])c0.Clone();
            fixed (T* pa = a, pb = b, pc = got, pbias = bias)
                new GemmSharedPackJob<T>().Run(isa, transA, transB, m, n, k, T.One, pa, lda, pb, ldb, beta, pc, n, pbias, true, threads);
            Assert.Equal(expected, got);
        }
    }
}
