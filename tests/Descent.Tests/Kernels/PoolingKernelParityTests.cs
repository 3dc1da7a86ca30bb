using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The pooling kernels and the batch norm of [N, C, S]: the fast form against the reference, bitwise, on odd shapes
/// (kernel 1 to 3, stride 1 to 3, padding 0 to 1, non-square, batch 1, channels 3, 5 and 17, sizes below and above the
/// serial cut-off; random values, then ties and NaNs), and the fast form on 1 thread against 2 threads, bitwise.
/// </summary>
public class PoolingKernelParityTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Shapes() => new()
    {
        // n, c, h, w, kh, kw, sh, sw, ph, pw
        { 1, 3, 7, 6, 3, 3, 2, 2, 1, 1 },
        { 2, 5, 9, 11, 2, 3, 1, 2, 1, 0 },
        { 1, 17, 5, 4, 1, 1, 1, 1, 0, 0 },
        { 3, 5, 28, 28, 2, 2, 2, 2, 0, 0 },
        { 4, 17, 31, 29, 3, 3, 3, 2, 1, 1 },
        { 2, 3, 16, 64, 3, 2, 1, 1, 1, 1 },
        // The vector 2 × 2 path: 7 windows a row (4 lanes + an overlapping 4), 5 with an odd width, 18 (8 + 8 + an overlapping 8), 3 (scalar).
        { 2, 3, 14, 14, 2, 2, 2, 2, 0, 0 },
        { 1, 5, 10, 11, 2, 2, 2, 2, 0, 0 },
        { 1, 3, 34, 37, 2, 2, 2, 2, 0, 0 },
        { 2, 2, 6, 7, 2, 2, 2, 2, 0, 0 },
    };

    private static T[] Fill<T>(Rng r, int length, bool ties) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[length];
        // With ties: small integers, and a NaN now and then (max pooling propagates the last NaN of a window, as PyTorch).
        for (int i = 0; i < length; i++) v[i] = T.CreateTruncating(ties ? (r.NextDouble() < 0.03 ? double.NaN : Math.Floor(r.Uniform(-2, 2))) : r.Normal(0, 1));
        return v;
    }

    /// <summary>Every pooling output of one kernel set for one geometry, concatenated (argmax as numbers).</summary>
    private static double[] Run<T>(IKernels k, Pool2dShape s, T[] x, T[] gy, T[] gyAdaptive, int oh, int ow) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var outs = new List<double>();
        void Add(ReadOnlySpan<T> v) { foreach (var e in v) outs.Add(double.CreateTruncating(e)); }
        T[] y = new T[s.OutputLength], gx = new T[s.InputLength];
        int[] arg = new int[s.OutputLength];
        k.MaxPool2dForward<T>(x, s, y, arg); Add(y); outs.AddRange(arg.Select(a => (double)a));
        k.MaxPool2dBackward<T>(gy, arg, s, gx); Add(gx);
        foreach (bool include in new[] { true, false })
        {
            k.AvgPool2dForward<T>(x, s, include, y); Add(y);
            k.AvgPool2dBackward<T>(gy, s, include, gx); Add(gx);
        }
        var ya = new T[s.Planes * oh * ow];
        k.AdaptiveAvgPool2dForward<T>(x, s.Planes, s.H, s.W, oh, ow, ya); Add(ya);
        k.AdaptiveAvgPool2dBackward<T>(gyAdaptive, s.Planes, s.H, s.W, oh, ow, gx); Add(gx);
        return outs.ToArray();
    }

    private static void Check<T>(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, bool ties) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = new Pool2dShape(n * c, h, w, kh, kw, sh, sw, ph, pw);
        var r = new Rng((ulong)(n * 7 + c * 31 + h * 131 + w));
        int oh = Math.Max(1, h / 3 + 1), ow = Math.Max(1, w * 2 / 3);            // bins that split, overlap or repeat
        var (x, gy, gya) = (Fill<T>(r, s.InputLength, ties), Fill<T>(r, s.OutputLength, false), Fill<T>(r, s.Planes * oh * ow, false));
        var reference = Run(ReferenceKernels.Instance, s, x, gy, gya, oh, ow);
        double[] one, two;
        using (Threading.Limit(1)) one = Run(FastKernels.Instance, s, x, gy, gya, oh, ow);
        using (Threading.Limit(2)) two = Run(FastKernels.Instance, s, x, gy, gya, oh, ow);
        Assert.Equal(reference, one);
        Assert.Equal(one, two);
    }

    /// <summary>Max pooling without argmax (inference) writes the values it writes with one, on both kernel sets, NaNs and ties included.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxPoolingWithoutArgmaxGivesTheSameValues(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var s = new Pool2dShape(n * c, h, w, kh, kw, sh, sw, ph, pw);
        foreach (bool ties in new[] { false, true })
        {
            var x = Fill<float>(new Rng((ulong)(h * 100 + w)), s.InputLength, ties);
            foreach (var k in new IKernels[] { ReferenceKernels.Instance, FastKernels.Instance })
            {
                float[] with = new float[s.OutputLength], without = new float[s.OutputLength];
                k.MaxPool2dForward<float>(x, s, with, new int[s.OutputLength]);
                k.MaxPool2dForward<float>(x, s, without, default);
                Assert.Equal(with.Select(BitConverter.SingleToInt32Bits), without.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastIsBitwiseTheReferenceOnAnyThreadCount(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        foreach (bool ties in new[] { false, true })
        {
            Check<float>(n, c, h, w, kh, kw, sh, sw, ph, pw, ties);
            Check<double>(n, c, h, w, kh, kw, sh, sw, ph, pw, ties);
        }
    }

    [Fact]
    public void SpansThatDoNotFitAreRefused()
    {
        var s = new Pool2dShape(2, 4, 4, 2, 2, 2, 2, 0, 0);
        foreach (var k in new IKernels[] { ReferenceKernels.Instance, FastKernels.Instance })
        {
            Assert.Throws<ArgumentException>(() => k.MaxPool2dForward<float>(new float[31], s, new float[8], new int[8]));
            Assert.Throws<ArgumentException>(() => k.MaxPool2dForward<float>(new float[32], s, new float[8], new int[7]));
            Assert.Throws<ArgumentException>(() => k.AvgPool2dBackward<float>(new float[8], s with { PH = 2 }, true, new float[32]));
            Assert.Throws<ArgumentException>(() => k.AdaptiveAvgPool2dForward<float>(new float[32], 2, 4, 4, 3, 3, new float[17]));
            Assert.Throws<ArgumentException>(() => k.BatchNormForward<float>(new float[30], 2, 3, 4, [], [], 1e-5, new float[30], new float[30], new double[3], new double[3], new double[3]));
        }
    }
}

/// <summary>The batch norm of x [n, C, S] (S &gt; 1: feature maps): fast against reference and 1 thread against 2, bitwise.</summary>
public class BatchNormChannelsParityTests
{
    private static void Check<T>(int n, int c, int s, bool affine) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng((ulong)(n * 1000 + c * 10 + s));
        T[] Fill(int len, double lo, double hi) { var v = new T[len]; for (int i = 0; i < len; i++) v[i] = T.CreateTruncating(r.Uniform(lo, hi)); return v; }
        var x = Fill(n * c * s, 50, 53);   // offset data: the statistics must not lose it
        var gamma = affine ? Fill(c, 0.5, 2) : [];
        var beta = affine ? Fill(c, -1, 1) : [];
        var gy = Fill(n * c * s, -1, 1);
        double[] Run(IKernels k)
        {
            T[] y = new T[n * c * s], h = new T[n * c * s], gx = new T[n * c * s];
            double[] mu = new double[c], v = new double[c], inv = new double[c], sg = new double[c], sgh = new double[c];
            k.BatchNormForward<T>(x, n, c, s, gamma, beta, 1e-5, y, h, mu, v, inv);
            k.BatchNormBackward<T>(gy, h, n, c, s, gamma, inv, sg, sgh, gx);
            // With the ReLU folded in (feature maps): y = max(γ·x̂ + β, 0), g counted where y > 0.
            T[] yr = new T[n * c * s], hr = new T[n * c * s], gxr = new T[n * c * s];
            double[] mur = new double[c], vr = new double[c], invr = new double[c], sgr = new double[c], sghr = new double[c];
            if (s > 1)
            {
                k.BatchNormForward<T>(x, n, c, s, gamma, beta, 1e-5, yr, hr, mur, vr, invr, relu: true);
                k.BatchNormBackward<T>(gy, hr, n, c, s, gamma, invr, sgr, sghr, gxr, yr);
                Assert.Equal(y.Select(v => T.Max(v, T.Zero)), yr);
            }
            // Evaluation mode: given statistics (here made-up running ones), with and without x̂.
            T[] ye = new T[n * c * s], he = new T[n * c * s], ye2 = new T[n * c * s];
            double[] rm = [.. mu.Select(m => m + 0.25)], ri = [.. inv.Select(i => i * 1.5)];
            k.BatchNormNormalize<T>(x, n, c, s, rm, ri, gamma, beta, ye, he);
            k.BatchNormNormalize<T>(x, n, c, s, rm, ri, gamma, beta, ye2, default);
            Assert.Equal(ye, ye2);
            return [.. y.Select(double.CreateTruncating), .. h.Select(double.CreateTruncating), .. mu, .. v, .. inv, .. sg, .. sgh, .. gx.Select(double.CreateTruncating),
                .. yr.Select(double.CreateTruncating), .. sgr, .. sghr, .. gxr.Select(double.CreateTruncating),
                .. ye.Select(double.CreateTruncating), .. he.Select(double.CreateTruncating)];
        }
        var reference = Run(ReferenceKernels.Instance);
        double[] one, two;
        using (Threading.Limit(1)) one = Run(FastKernels.Instance);
        using (Threading.Limit(2)) two = Run(FastKernels.Instance);
        Assert.Equal(reference, one);
        Assert.Equal(one, two);
        // x̂ has mean 0 and variance 1 per channel (the definition).
        int len = n * c * s;
        for (int j = 0; j < c; j++)
        {
            var hj = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, s).Select(t => reference[len + (i * c + j) * s + t])).ToArray();
            double m = hj.Average(), var = hj.Sum(e => (e - m) * (e - m)) / hj.Length;
            Assert.True(Math.Abs(m) < 1e-5 && Math.Abs(var - 1) < 1e-3, $"channel {j}: mean {m}, variance {var}");
        }
    }

    [Theory]
    [InlineData(1, 3, 9, true)]
    [InlineData(2, 5, 7, false)]
    [InlineData(3, 17, 25, true)]
    [InlineData(8, 32, 196, true)]
    [InlineData(1, 4, 2, false)]
    public void FastIsBitwiseTheReferenceOnAnyThreadCount(int n, int c, int s, bool affine)
    {
        Check<float>(n, c, s, affine);
        Check<double>(n, c, s, affine);
    }
}

/// <summary>
/// The per-channel affine map y = x·a_c + b_c (evaluation-mode batch norm, folded; the convolution's epilogue): fast
/// against reference and 1 thread against 2, bitwise, with and without the ReLU, in place too; and against the formula.
/// </summary>
public class ChannelAffineParityTests
{
    private static void Check<T>(int n, int c, int s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng((ulong)(n * 1000 + c * 10 + s));
        T[] Fill(int len, double lo, double hi) { var v = new T[len]; for (int i = 0; i < len; i++) v[i] = T.CreateTruncating(r.Uniform(lo, hi)); return v; }
        var x = Fill(n * c * s, -3, 3);
        if (x.Length > 5) x[5] = T.NaN;                                // propagates, through the ReLU too
        var scale = Fill(c, -2, 2);
        var shift = Fill(c, -1, 1);
        T[] Run(IKernels k, bool relu)
        {
            var y = new T[x.Length];
            k.ChannelAffine<T>(x, n, c, s, scale, shift, y, relu);
            var inPlace = (T[])x.Clone();
            k.ChannelAffine<T>(inPlace, n, c, s, scale, shift, inPlace, relu);
            Assert.Equal(y, inPlace);
            return y;
        }
        foreach (bool relu in new[] { false, true })
        {
            var reference = Run(ReferenceKernels.Instance, relu);
            T[] one, two;
            using (Threading.Limit(1)) one = Run(FastKernels.Instance, relu);
            using (Threading.Limit(2)) two = Run(FastKernels.Instance, relu);
            Assert.Equal(reference, one);
            Assert.Equal(one, two);
            for (int i = 0; i < x.Length; i++)
            {
                int j = i / s % c;
                T v = T.FusedMultiplyAdd(x[i], scale[j], shift[j]);
                Assert.Equal(relu ? T.Max(v, T.Zero) : v, reference[i]);
            }
        }
    }

    [Theory]
    [InlineData(1, 3, 9)]
    [InlineData(2, 5, 7)]
    [InlineData(1, 32, 784)]
    [InlineData(3, 17, 1)]
    [InlineData(8, 64, 196)]
    public void FastIsBitwiseTheReferenceOnAnyThreadCount(int n, int c, int s)
    {
        Check<float>(n, c, s);
        Check<double>(n, c, s);
    }

    [Fact]
    public void FoldsBatchNormAsPyTorchDoes()
    {
        // a = γ·(1/√(σ² + ε)), b = β − μ·a, from float64.
        float[] scale = new float[2], shift = new float[2];
        ChannelAffine.FoldBatchNorm<float>([1f, -2f], [4f, 0.25f], [3f, 1f], [0.5f, 0f], 0, scale, shift);
        Assert.Equal([1.5f, 2f], scale);
        Assert.Equal([-1f, 4f], shift);
        ChannelAffine.FoldBatchNorm<float>([1f], [4f], [], [], 0, scale.AsSpan(0, 1), shift.AsSpan(0, 1));
        Assert.Equal(0.5f, scale[0]);
        Assert.Equal(-0.5f, shift[0]);
    }
}
