using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The blocked GEMM beyond the parity sweep: shapes spanning several k, row and column blocks; every kernel width;
/// bitwise equality for any thread count; the fused bias + ReLU epilogue; no allocation per call.
/// </summary>
[Collection("Threading")]
public class GemmTests
{
    private static readonly IKernels Ref = ReferenceKernels.Instance, Fast = FastKernels.Instance;

    private sealed record Case(bool TransA, bool TransB, int M, int N, int K);

    // k = 2100 and 2500 span three k blocks (kc = 1024); m = 150 and n = 300 ragged tiles, and on a processor with a small
    // L2 several row blocks; 20000 columns several column blocks.
    // The bottom tiles of the 6-row kernels: m = 64 leaves 4 rows, 33 three, 128 and 50 two (50: in pairs of slivers, and
    // the third of three alone), 37 one (in pairs), 5 five (the edge path). 40 × 20000 × 12 on several threads: each part's
    // columns of op(B) are packed by the part, in more than one chunk of NC columns.
    private static readonly Case[] Cases =
    [
        new(false, false, 150, 300, 600), new(false, true, 150, 300, 600), new(true, false, 150, 300, 600), new(true, true, 150, 300, 600),
        new(false, false, 37, 2100, 19), new(false, true, 301, 13, 257), new(true, false, 128, 256, 784), new(false, true, 128, 10, 128),
        new(false, false, 64, 48, 300), new(true, false, 33, 40, 270), new(false, true, 50, 48, 260), new(false, false, 5, 64, 300),
        new(false, false, 40, 20000, 12), new(false, false, 40, 70, 2100), new(true, true, 33, 50, 2500),
    ];

    private static T[] Data<T>(int n, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng(seed);
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateTruncating(r.Uniform(-2, 2));
        return a;
    }

    private static (T[] A, T[] B, T[] C, int Lda, int Ldb) Operands<T>(Case c, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lda = Math.Max(1, c.TransA ? c.M : c.K), ldb = Math.Max(1, c.TransB ? c.K : c.N);
        return (Data<T>(c.M * c.K, seed), Data<T>(c.K * c.N, seed + 1), Data<T>(c.M * c.N, seed + 2), lda, ldb);
    }

    private static T[] Run<T>(IKernels kern, Case c, ulong seed, T alpha, T beta, bool bias = false, GemmActivation act = GemmActivation.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b, y, lda, ldb) = Operands<T>(c, seed);
        var bs = bias ? Data<T>(c.N, seed + 3) : [];
        kern.Gemm(c.TransA, c.TransB, c.M, c.N, c.K, alpha, a, lda, b, ldb, beta, y, c.N, bs, act);
        return y;
    }

    private static void AssertClose<T>(Case c, T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Each element sums k products bounded by 4: the sum is at most 4k; allow 2√k rounding errors of that size.
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16, tol = 2 * Math.Sqrt(c.K) * eps * 4 * c.K + 1e-30;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
            Assert.True(Math.Abs(e - a) <= tol, $"{what} {c}: [{i}] reference {e:R}, fast {a:R}");
        }
    }

    private static void MatchesReference<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var c in Cases)
            foreach (var (alpha, beta) in new[] { (1.0, 0.0), (0.5, 1.5) })
            {
                T al = T.CreateTruncating(alpha), be = T.CreateTruncating(beta);
                AssertClose(c, Run(Ref, c, 11, al, be), Run(Fast, c, 11, al, be), $"gemm<{typeof(T).Name}> α={alpha} β={beta}");
            }
    }

    [Fact] public void LargeShapesMatchReferenceFloat() => MatchesReference<float>();
    [Fact] public void LargeShapesMatchReferenceDouble() => MatchesReference<double>();

    private static void EpilogueMatchesReference<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var c in Cases.Append(new Case(false, true, 5, 7, 0)))
            foreach (var act in new[] { GemmActivation.None, GemmActivation.Relu })
                foreach (var beta in new[] { 0.0, 1.0 })
                {
                    T be = T.CreateTruncating(beta);
                    var e = Run(Ref, c, 21, T.One, be, bias: true, act);
                    var f = Run(Fast, c, 21, T.One, be, bias: true, act);
                    AssertClose(c, e, f, $"epilogue {act} β={beta}");
                    if (act == GemmActivation.Relu) Assert.All(f, v => Assert.True(v >= T.Zero));
                }
    }

    [Fact] public void BiasReluEpilogueFloat() => EpilogueMatchesReference<float>();
    [Fact] public void BiasReluEpilogueDouble() => EpilogueMatchesReference<double>();

    [Fact]
    public void EpilogueEqualsSeparateBiasAndRelu()
    {
        // The fused form must equal: C = A·Bᵀ (β = 0), then + bias, then ReLU, bit for bit.
        var c = new Case(false, true, 128, 256, 784);
        var fused = Run(Fast, c, 5, 1f, 0f, bias: true, GemmActivation.Relu);
        var plain = Run(Fast, c, 5, 1f, 0f);
        var bias = Data<float>(c.N, 5 + 3);
        for (int i = 0; i < plain.Length; i++) plain[i] = MathF.Max(plain[i] + bias[i % c.N], 0f);
        Assert.Equal(plain, fused);
    }

    [Fact]
    public void BiasOfWrongLengthIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fast.Gemm(false, false, 2, 3, 1, 1f, new float[2], 1, new float[3], 3, 0f, new float[6], 3, new float[2], GemmActivation.None));
        Assert.Contains("bias has 2 elements", ex.Message);
    }

    private static void SameForAnyThreadCount<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        int saved = Threading.MaxThreads;
        try
        {
            foreach (var c in Cases)
            {
                Threading.MaxThreads = 1;
                var one = Run(Fast, c, 31, T.One, T.CreateTruncating(0.5), bias: true, GemmActivation.Relu);
                foreach (int t in new[] { 2, 3, 4 })
                {
                    Threading.MaxThreads = t;
                    Assert.Equal(one, Run(Fast, c, 31, T.One, T.CreateTruncating(0.5), bias: true, GemmActivation.Relu));
                }
            }
        }
        finally { Threading.MaxThreads = saved; }
    }

    [Fact] public void BitwiseSameFor1To4ThreadsFloat() => SameForAnyThreadCount<float>();
    [Fact] public void BitwiseSameFor1To4ThreadsDouble() => SameForAnyThreadCount<double>();

    [Fact]
    public void EveryPartSplitGivesTheSameBits()
    {
        // Drive the job directly so the split really happens (the shared pool may be busy with another test).
        var c = new Case(false, true, 301, 13, 257);
        var (a, b, y0, lda, ldb) = Operands<float>(c, 41);
        float[]? first = null;
        foreach (int parts in new[] { 1, 2, 3, 7 })
        {
            var y = (float[])y0.Clone();
            unsafe
            {
                fixed (float* pa = a, pb = b, py = y)
                {
                    var job = new GemmJob<float>();
                    job.Set(GemmMicroKernel.Isa, c.TransA, c.TransB, c.M, c.N, c.K, 1f, pa, lda, pb, ldb, 0.25f, py, c.N, null, false);
                    int n = job.Split(parts);
                    for (int p = n - 1; p >= 0; p--) job.Run(p);
                }
            }
            first ??= y;
            Assert.Equal(first, y);
        }
    }

    /// <summary>
    /// A narrow C (few columns) is computed as its transpose; the result has the bits of the direct blocked path
    /// (the per-part job), with bias, ReLU and β, for widths that take the scalar store (10) and the 8 × 8 block store (8).
    /// The shapes are narrow for every kernel width (a 16-column C is narrow for the 512-bit kernel's tiles, not for the
    /// 256-bit kernel's 6 × 16 tiles, so it would test nothing on an AVX2 processor).
    /// </summary>
    [Theory]
    [InlineData(128, 10, 128)]
    [InlineData(96, 8, 200)]
    [InlineData(64, 8, 40)]
    public unsafe void NarrowProductComputedAsItsTransposeHasTheDirectBits(int m, int n, int k)
    {
        Assert.True(GemmTransposed.Applies(GemmMicroKernel.Isa, m, n, k, 1f, 0.5f) || GemmMicroKernel.Isa == GemmIsa.Scalar);
        var rng = new Rng((ulong)(m + n + k));
        float[] Fill(int len) { var v = new float[len]; rng.FillNormal(v, 0, 1); return v; }
        var (a, b, c0, bias) = (Fill(m * k), Fill(n * k), Fill(m * n), Fill(n));
        var expected = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pc = expected, pbias = bias)
        {
            var job = new GemmJob<float>();
            job.Set(GemmMicroKernel.Isa, false, true, m, n, k, 1f, pa, k, pb, k, 0.5f, pc, n, pbias, true);
            int parts = job.Split(1);
            for (int p = 0; p < parts; p++) job.Run(p);
        }
        var got = (float[])c0.Clone();
        Fast.Gemm(false, true, m, n, k, 1f, a, k, b, k, 0.5f, got, n, bias, GemmActivation.Relu);
        Assert.Equal(expected, got);
    }

    [Fact]
    public void EveryKernelWidthGivesTheSameBits()
    {
        var saved = GemmMicroKernel.Isa;
        try
        {
            foreach (var c in Cases)
            {
                GemmMicroKernel.Isa = GemmIsa.Scalar;
                var f = Run(Fast, c, 51, 1f, 1f); var d = Run(Fast, c, 51, 1.0, 1.0);
                foreach (var isa in new[] { GemmIsa.Vector128, GemmIsa.Vector256, GemmIsa.Vector512 })
                {
                    if (isa > GemmMicroKernel.Detect()) continue;
                    GemmMicroKernel.Isa = isa;
                    Assert.Equal(f, Run(Fast, c, 51, 1f, 1f));
                    Assert.Equal(d, Run(Fast, c, 51, 1.0, 1.0));
                }
            }
        }
        finally { GemmMicroKernel.Isa = saved; }
    }

    [Fact]
    public void SteadyStateCallAllocatesNothing()
    {
        var c = new Case(false, true, 128, 256, 784);
        var (a, b, y, lda, ldb) = Operands<float>(c, 61);
        var bias = Data<float>(c.N, 62);
        void Call() => Fast.Gemm(false, true, c.M, c.N, c.K, 1f, a, lda, b, ldb, 0f, y, c.N, bias, GemmActivation.Relu);
        // One-time costs (this thread's job and buffers, the pool's threads when it is first free) may fall in
        // any early batch; a steady state means some batch of 10 calls allocates nothing at all.
        long least = long.MaxValue;
        for (int batch = 0; batch < 5 && least != 0; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}
