using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>The few-row path (batch-1 inference) against the reference, and bitwise the same on 1 and 2 threads.</summary>
[Collection("Threading")]
public class GemmSmallTests
{
    [Fact]
    public void FewRowsMatchReferenceAndDoNotDependOnThreads()
    {
        var r = new Rng(12);
        foreach (int m in new[] { 1, 2, 4 })
        {
            int n = 300, k = 784;
            var a = new float[m * k]; var b = new float[n * k]; var bias = new float[n];
            r.FillNormal(a, 0, 1); r.FillNormal(b, 0, 0.05); r.FillNormal(bias, 0, 0.1);
            var expected = new float[m * n];
            ReferenceKernels.Instance.Gemm(false, true, m, n, k, 1f, a, k, b, k, 0f, expected, n, bias, GemmActivation.Relu);
            float[] Run(int threads)
            {
                int saved = Threading.MaxThreads;
                Threading.MaxThreads = threads;
                try
                {
                    var c = new float[m * n];
                    FastKernels.Instance.Gemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n, bias, GemmActivation.Relu);
                    return c;
                }
                finally { Threading.MaxThreads = saved; }
            }
            var one = Run(1);
            Assert.Equal(one, Run(2));
            for (int i = 0; i < one.Length; i++) Assert.True(Math.Abs(one[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"m={m} [{i}]: {one[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(1, 27, 784)]   // 3 groups of 8, then 3 single columns
    [InlineData(2, 13, 37)]    // 8 + 4 + 1, k with a tail after the vectors
    [InlineData(1, 8, 5)]      // k shorter than a vector: scalar chains only
    public void EightAndFourColumnGroupsRoundAsOneColumnDoes(int m, int n, int k)
    {
        // Every column of C alone (one dot product) must give the bits it gets inside a group of 8 or 4.
        var r = new Rng(5);
        var a = new float[m * k]; var b = new float[n * k]; var bias = new float[n];
        r.FillNormal(a, 0, 1); r.FillNormal(b, 0, 0.05); r.FillNormal(bias, 0, 0.1);
        using var one = Threading.Limit(1);
        var c = new float[m * n];
        FastKernels.Instance.Gemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n, bias, GemmActivation.Relu);
        for (int j = 0; j < n; j++)
        {
            var cj = new float[m];
            FastKernels.Instance.Gemm(false, true, m, 1, k, 1f, a, k, b.AsSpan(j * k, k), k, 0f, cj, 1, bias.AsSpan(j, 1), GemmActivation.Relu);
            for (int i = 0; i < m; i++) Assert.True(BitConverter.SingleToInt32Bits(cj[i]) == BitConverter.SingleToInt32Bits(c[i * n + j]), $"[{i}, {j}]: {cj[i]} alone, {c[i * n + j]} in a group");
        }
    }
}
