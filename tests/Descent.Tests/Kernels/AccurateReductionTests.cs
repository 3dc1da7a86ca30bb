using Descent.Kernels;
using Descent.Losses;
using Descent.Optim;

namespace Descent.Tests.Kernels;

/// <summary>
/// Reductions on constant and offset data, where a float32 running sum fails (issue 17, item 11): every sum, mean,
/// variance, norm, loss mean and bias gradient lands within 1e-6 (relative) of the float64 sum, on both kernel sets,
/// and each parallel reduction gives the same bits for 1 and 2 threads.
/// </summary>
[Collection("Threading")]
public class AccurateReductionTests
{
    private static double Rel(double expected, double actual) => Math.Abs(actual - expected) / Math.Abs(expected);

    /// <summary>The float64 sum of float32 values (error ≈ n·2⁻⁵³ relative, far below 1e-6).</summary>
    private static double Exact(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    [Theory]
    [MemberData(nameof(TestSupport.KernelNames), MemberType = typeof(TestSupport))]
    public void SumOfTenMillionElementsIsWithinOnePpmOfTheFloat64Sum(string kernels)
    {
        using var _ = TestSupport.Use(kernels);
        var tenth = Tensor.Full(0.1, DType.Float32, 10_000_000);           // a naive float32 sum is 0.6% off
        Assert.True(Rel(1e7 * (double)0.1f, tenth.Sum().Item()) <= 1e-6, $"Σ 0.1 = {tenth.Sum().Item():R}");
        var values = new float[10_000_000];
        for (int i = 0; i < values.Length; i++) values[i] = 1000 + (i * 7919L % 2001 - 1000) / 1000f;   // offset data: 1000 ± 1
        var offset = Tensor.From(values, values.Length);
        Assert.True(Rel(Exact(offset.Floats), offset.Sum().Item()) <= 1e-6, $"Σ x = {offset.Sum().Item():R} vs {Exact(offset.Floats):R}");
        Assert.True(Rel(Exact(offset.Floats) / 1e7, offset.Mean().Item()) <= 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestSupport.KernelNames), MemberType = typeof(TestSupport))]
    public void ColumnSumsAndMeansOverMillionsOfRows(string kernels)
    {
        using var _ = TestSupport.Use(kernels);
        var mean = Tensor.Full(300.1, DType.Float32, 1_000_000, 4).Mean(0);     // naive: 301.281
        foreach (float m in mean.Floats) Assert.True(Rel(300.1f, m) <= 1e-6, $"mean {m:R}");
        var ones = Tensor.Ones(20_000_000, 2).Sum(0);                            // naive: 16777216
        Assert.Equal([2e7f, 2e7f], ones.ToFloatArray());
        var rows = Tensor.Full(0.1, DType.Float32, 100_000, 3).Sum(1);          // contiguous sums along the last axis
        Assert.True(Rel(3 * (double)0.1f, rows.Floats[99_999]) <= 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestSupport.KernelNames), MemberType = typeof(TestSupport))]
    public void VarianceOfOffsetDataAndMseOverTenMillionElements(string kernels)
    {
        using var _ = TestSupport.Use(kernels);
        var x = new float[2_000_000];
        for (int i = 0; i < x.Length; i++) x[i] = i / 2 % 2 == 0 ? 1000f : 1001f;   // rows alternate: mean 1000.5, variance 0.25
        var t = Tensor.From(x, 1_000_000, 2);
        foreach (float v in t.Var(0, correction: 0).Floats) Assert.True(Rel(0.25, v) <= 1e-6, $"var {v:R}");
        Assert.True(Rel(0.25, t.Var(correction: 0).Item()) <= 1e-6);
        var prediction = Tensor.Zeros(12_800, 784);
        var target = Tensor.Full(0.3, DType.Float32, 12_800, 784);
        double mse = new MseLoss().Forward(prediction, target).Item();
        Assert.True(Rel((double)0.3f * 0.3f, mse) <= 1e-6, $"mse {mse:R}");
    }

    [Theory]
    [MemberData(nameof(TestSupport.KernelNames), MemberType = typeof(TestSupport))]
    public void BiasGradientOverALargeBatch(string kernels)
    {
        using var _ = TestSupport.Use(kernels);
        const int rows = 200_000, cols = 40;
        var g = new float[rows * cols];
        var y = new float[rows * cols];
        for (int i = 0; i < g.Length; i++) { g[i] = 0.1f; y[i] = i / cols % 4 == 0 ? -1 : 1; }   // 3 rows in 4 pass the ReLU
        var sums = new float[cols];
        KernelProvider.Current.ReluMaskColumnSums<float>(g, y, rows, cols, sums);
        double expected = rows * 3 / 4 * (double)0.1f;
        foreach (float s in sums) Assert.True(Rel(expected, s) <= 1e-6, $"bias gradient {s:R}, expected {expected:R}");
        var add = new float[cols];
        Array.Fill(add, 1f);
        KernelProvider.Current.AddColumnSums<float>(g, rows, cols, add);
        foreach (float s in add) Assert.True(Rel(1 + expected, s) <= 1e-6, $"column sum {s:R}");
    }

    [Fact]
    public void GradientNormOfTenMillionElements()
    {
        var p = Tensor.Zeros(10_000_000);
        p.RequiresGrad = true;
        p.Grad = Tensor.Full(0.1, DType.Float32, 10_000_000);
        double expected = Math.Sqrt(1e7 * (double)0.1f * 0.1f);
        Assert.True(Rel(expected, GradientClipping.TotalNorm([p])) <= 1e-6);
        Assert.True(Rel(1e7 * (double)0.1f, GradientClipping.TotalNorm([p], normType: 1)) <= 1e-6);
        Assert.True(Rel(expected * expected, SumOfSquares.Of<float>(p.Grad.Floats)) <= 1e-6);
    }

    [Fact]
    public void SumsOfEmptyTensorsFollowPyTorch()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            Assert.Equal(0, Tensor.Zeros(dtype, 0).Sum().Item());                // torch.zeros(0).sum() = 0
            Assert.True(double.IsNaN(Tensor.Zeros(dtype, 0).Mean().Item()));      // torch.zeros(0).mean() = nan
            Assert.Equal([0.0, 0, 0], Tensor.Zeros(dtype, 0, 3).Sum(0).ToArray());
            Assert.All(Tensor.Zeros(dtype, 0, 3).Mean(0).ToArray(), v => Assert.True(double.IsNaN(v)));
            Assert.Equal([0.0, 0], Tensor.Zeros(dtype, 2, 0).Sum(1).ToArray());
            Assert.Equal([0], Tensor.Zeros(dtype, 2, 0).Sum(0).ShapeArray);
        }
    }

    /// <summary>Each parallel reduction: the same bits for 1 and 2 threads (sizes above every split threshold, with ragged tails).</summary>
    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameReductions()
    {
        // Cheap deterministic spreads (Tensor.Normal's portable math is slow for millions of elements).
        static double[] Spread(int n, double center, long mul) => Enumerable.Range(0, n).Select(i => center + (i * mul % 4001 - 2000) / 700.0).ToArray();
        static float[] Floats(double[] x) => x.Select(v => (float)v).ToArray();
        var data = Spread(3_000_017, 5, 7919);
        var flat = Tensor.From(Floats(data), data.Length);
        var flat64 = Tensor.From(data, data.Length);
        var g = Tensor.From(Floats(Spread(4099 * 259, 0, 104_729)), 4099, 259);
        var y = Tensor.From(Floats(Spread(4099 * 259, 0, 1_299_709)), 4099, 259);
        var g64 = Tensor.From(Spread(4099 * 259, 0.5, 15_485_863), 4099, 259);
        (float[], double[], double, double, float[], float[], float[], double[]) Run(int threads)
        {
            int saved = Threading.MaxThreads;
            try
            {
                Threading.MaxThreads = threads;
                var k = FastKernels.Instance;
                var gm = g.ToFloatArray();
                var sums = new float[259];
                k.ReluMaskColumnSums<float>(gm, y.Floats, 4099, 259, sums);
                var col = new float[259];
                k.AddColumnSums<float>(g.Floats, 4099, 259, col);
                var col64 = new double[259];
                k.AddColumnSums<double>(g64.Doubles, 4099, 259, col64);
                return ([k.Sum<float>(flat.Floats)], [k.Sum<double>(flat64.Doubles)], SumOfSquares.Of<float>(flat.Floats),
                    GradientClipping.TotalNorm([WithGrad(flat)], normType: 1), sums, gm, col, col64);
            }
            finally { Threading.MaxThreads = saved; }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(BitConverter.SingleToInt32Bits(one.Item1[0]), BitConverter.SingleToInt32Bits(two.Item1[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.Item2[0]), BitConverter.DoubleToInt64Bits(two.Item2[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.Item3), BitConverter.DoubleToInt64Bits(two.Item3));
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.Item4), BitConverter.DoubleToInt64Bits(two.Item4));
        Assert.Equal(one.Item5, two.Item5);
        Assert.Equal(one.Item6, two.Item6);
        Assert.Equal(one.Item7, two.Item7);
        Assert.Equal(one.Item8, two.Item8);
    }

    private static Tensor WithGrad(Tensor g)
    {
        var p = g.ZerosLike();
        p.RequiresGrad = true;
        p.Grad = g;
        return p;
    }

    /// <summary>Fast and reference column sums accumulate in the same order in float64: the same bits, masked or not.</summary>
    [Fact]
    public void FastAndReferenceColumnSumsAreBitwiseEqual()
    {
        var rng = new Rng(3);
        foreach (var (rows, cols) in new[] { (1, 1), (7, 3), (128, 256), (129, 37), (1000, 19) })
        {
            var g = Tensor.Normal(rng, 0, 1, DType.Float32, rows, cols).ToFloatArray();
            var y = Tensor.Normal(rng, 0, 1, DType.Float32, rows, cols).ToFloatArray();
            float[] gf = (float[])g.Clone(), gr = (float[])g.Clone(), sf = new float[cols], sr = new float[cols];
            FastKernels.Instance.ReluMaskColumnSums<float>(gf, y, rows, cols, sf);
            ReferenceKernels.Instance.ReluMaskColumnSums<float>(gr, y, rows, cols, sr);
            Assert.Equal(gr, gf);
            Assert.Equal(sr, sf);
            float[] af = new float[cols], ar = new float[cols];
            Array.Fill(af, 0.3f); Array.Fill(ar, 0.3f);
            FastKernels.Instance.AddColumnSums<float>(g, rows, cols, af);
            ReferenceKernels.Instance.AddColumnSums<float>(g, rows, cols, ar);
            Assert.Equal(ar, af);
        }
    }
}
