using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The fast convolution (im2col + GEMM on the worker pool) against the reference loops on odd shapes, in float32 and
/// float64, for the forward pass, ∂L/∂x, ∂L/∂W and ∂L/∂b; and 1 thread against 2 threads, bitwise.
/// </summary>
[Collection("Threading")]
public class Conv2dKernelParityTests
{
    private static readonly IKernels Ref = ReferenceKernels.Instance, Fast = FastKernels.Instance;

    private static Conv2dGeometry G(int n, int cin, int h, int w, int cout, int k, int s = 1, int p = 0, int d = 1, int groups = 1) =>
        new(n, cin, h, w, cout, k, k, s, s, p, p, d, d, groups);

    public static TheoryData<string> Shapes() => new(Geometries.Keys);

    private static readonly Dictionary<string, Conv2dGeometry> Geometries = new()
    {
        ["1x1"] = G(3, 5, 6, 7, 17, 1),
        ["1x1_stride2"] = G(2, 3, 7, 7, 5, 1, s: 2),
        ["1x1_pad1"] = G(2, 3, 4, 5, 4, 1, p: 1),
        ["3x3_pad0"] = G(3, 3, 9, 8, 5, 3),
        ["3x3_pad1"] = G(2, 17, 11, 10, 3, 3, p: 1),
        ["3x3_pad2_stride2"] = G(2, 5, 13, 12, 17, 3, s: 2, p: 2),
        ["5x5_stride2_pad1"] = G(3, 3, 15, 14, 5, 5, s: 2, p: 1),
        ["dilation2"] = G(2, 3, 12, 12, 5, 3, p: 2, d: 2),
        ["groups"] = G(2, 6, 9, 9, 9, 3, p: 1, groups: 3),
        ["batch1"] = G(1, 5, 10, 9, 17, 3, p: 1),
        ["batch17_chunks"] = G(17, 3, 6, 6, 4, 3, p: 1),
        ["rect"] = new(2, 3, 9, 11, 5, 2, 3, 2, 1, 1, 0, 1, 2, 1),
        ["cnn_conv1"] = G(16, 1, 28, 28, 32, 3, p: 1),
        ["cnn_conv2"] = G(8, 32, 14, 14, 64, 3, p: 1),
        // The packed forward pass (K ≥ 64) with groups, dilation and stride.
        ["packed_groups"] = G(2, 24, 9, 9, 9, 3, p: 1, groups: 3),
        ["packed_dilation2"] = G(2, 8, 12, 12, 5, 3, p: 2, d: 2),
        ["packed_stride2_pad2"] = G(2, 9, 13, 12, 17, 3, s: 2, p: 2),
        // Fewer samples than cores: each sample's pixels split over the parts (Conv2dPacked.PixelParts), the last sliver short.
        ["packed_batch1"] = G(1, 32, 14, 14, 64, 3, p: 1),
        ["packed_batch1_tail"] = G(1, 9, 11, 9, 7, 3, p: 1),
        // ∂L/∂x as the forward pass of the flipped kernel (64 input channels and more), with padding 0 to k − 1.
        ["flipped_pad1"] = G(2, 64, 7, 6, 8, 3, p: 1),
        ["flipped_5x5_pad0"] = G(2, 65, 9, 8, 3, 5),
        ["flipped_5x5_pad4"] = G(1, 64, 5, 6, 7, 5, p: 4),
        // The direct forward pass (K < 64, stride 1, one group): rows of 8, 28 (4 vectors, the last overlapping), 37
        // (5 vectors: a second group of one), 5 (scalar); batch 1 splits the channels; padding 0 to 2; K = 63 at the edge.
        ["direct_batch1"] = G(1, 1, 28, 28, 32, 3, p: 1),
        ["direct_5x5_pad2"] = G(2, 2, 9, 37, 5, 5, p: 2),
        ["direct_narrow"] = G(3, 2, 7, 5, 3, 3, p: 1),
        ["direct_exact8"] = G(2, 1, 8, 10, 4, 3),
        ["direct_k63"] = G(1, 7, 11, 12, 9, 3, p: 1),
        ["direct_rect"] = new(2, 2, 9, 11, 5, 2, 3, 1, 1, 1, 0, 1, 1, 1),
    };

    private static T[] Data<T>(long n, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng(seed);
        var a = new T[n];
        for (long i = 0; i < n; i++) a[i] = T.CreateTruncating(r.Uniform(-1, 1));
        return a;
    }

    /// <summary>The three passes on one kernel set: y, gx, gw, gb.</summary>
    private static (T[] Y, T[] Gx, T[] Gw, T[] Gb) Run<T>(IKernels k, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Data<T>(g.InputLength, 1); var w = Data<T>(g.WeightLength, 2); var b = Data<T>(g.OutChannels, 3); var gy = Data<T>(g.OutputLength, 4);
        var scratch = new T[k.Conv2dScratchLength(g)];
        var y = new T[g.OutputLength]; var gx = new T[g.InputLength]; var gw = new T[g.WeightLength]; var gb = new T[g.OutChannels];
        Array.Fill(gx, T.NaN); Array.Fill(gw, T.NaN); Array.Fill(y, T.NaN);   // outputs are overwritten, never accumulated into
        k.Conv2d<T>(x, w, b, g, y, scratch);
        k.Conv2dBackwardInput<T>(gy, w, g, gx, scratch);
        k.Conv2dBackwardWeight<T>(gy, x, g, gw, gb, scratch);
        return (y, gx, gw, gb);
    }

    private static void AssertClose<T>(T[] e, T[] a, double rel, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(e.Length, a.Length);
        double scale = 0;
        foreach (var v in e) scale = Math.Max(scale, Math.Abs(double.CreateTruncating(v)));
        for (int i = 0; i < e.Length; i++)
        {
            double ev = double.CreateTruncating(e[i]), av = double.CreateTruncating(a[i]);
            Assert.True(Math.Abs(ev - av) <= rel * (Math.Abs(ev) + scale), $"{what} [{i}] of {e.Length}: reference {ev:R}, fast {av:R}");
        }
    }

    private static void Parity<T>(string shape, double rel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Geometries[shape];
        var e = Run<T>(Ref, g);
        var a = Run<T>(Fast, g);
        string t = typeof(T).Name;
        AssertClose(e.Y, a.Y, rel, $"{shape} y<{t}>");
        AssertClose(e.Gx, a.Gx, rel, $"{shape} ∂x<{t}>");
        AssertClose(e.Gw, a.Gw, rel, $"{shape} ∂W<{t}>");
        AssertClose(e.Gb, a.Gb, rel, $"{shape} ∂b<{t}>");
    }

    // float32: the GEMM's blocked FMA order differs from the reference's plain sums (relative to the largest element).
    [Theory, MemberData(nameof(Shapes))] public void FastMatchesReferenceFloat(string shape) => Parity<float>(shape, 2e-5);

    [Theory, MemberData(nameof(Shapes))] public void FastMatchesReferenceDouble(string shape) => Parity<double>(shape, 1e-13);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OneAndTwoThreadsGiveTheSameBits(string shape)
    {
        var g = Geometries[shape];
        (float[] Y, float[] Gx, float[] Gw, float[] Gb) one, two;
        using (Threading.Limit(1)) one = Run<float>(Fast, g);
        using (Threading.Limit(2)) two = Run<float>(Fast, g);
        Assert.True(Bits(one.Y).SequenceEqual(Bits(two.Y)), $"{shape}: y differs");
        Assert.True(Bits(one.Gx).SequenceEqual(Bits(two.Gx)), $"{shape}: ∂x differs");
        Assert.True(Bits(one.Gw).SequenceEqual(Bits(two.Gw)), $"{shape}: ∂W differs");
        Assert.True(Bits(one.Gb).SequenceEqual(Bits(two.Gb)), $"{shape}: ∂b differs");
    }

    private static IEnumerable<int> Bits(float[] a) => a.Select(BitConverter.SingleToInt32Bits);

    /// <summary>
    /// Every micro-kernel width this processor runs (and the scalar one) gives the same bits: the packed convolution
    /// gathers its B slivers with AVX2 for 16- and 32-float slivers and with a plain loop otherwise.
    /// </summary>
    /// <summary>
    /// The direct forward pass gives the bits of im2col + the GEMM (<see cref="Conv2dKernel.ForwardSample{T}"/>, sample by
    /// sample): both are one FMA chain from 0 in increasing k, then the bias.
    /// </summary>
    [Theory]
    [InlineData("direct_batch1")]
    [InlineData("direct_5x5_pad2")]
    [InlineData("direct_narrow")]
    [InlineData("direct_exact8")]
    [InlineData("direct_k63")]
    [InlineData("direct_rect")]
    [InlineData("cnn_conv1")]
    public void DirectIsBitwiseIm2ColAndGemm(string shape)
    {
        var g = Geometries[shape];
        Assert.True(Conv2dDirect.Applies(g));
        DirectMatches<float>(g);
        DirectMatches<double>(g);
    }

    private static void DirectMatches<T>(Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Data<T>(g.InputLength, 1); var w = Data<T>(g.WeightLength, 2); var b = Data<T>(g.OutChannels, 3);
        var y = new T[g.OutputLength];
        Fast.Conv2d<T>(x, w, b, g, y, new T[Fast.Conv2dScratchLength(g)]);
        var expected = new T[g.OutputLength];
        var col = new T[Conv2dKernel.ColumnLength(g)];
        long xLen = g.InputLength / g.Batch, yLen = g.OutputLength / g.Batch;
        for (int n = 0; n < g.Batch; n++)
            Conv2dKernel.ForwardSample<T>(x.AsSpan((int)(n * xLen), (int)xLen), w, b, g, expected.AsSpan((int)(n * yLen), (int)yLen), col);
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData("direct_batch1")]
    [InlineData("direct_5x5_pad2")]
    [InlineData("cnn_conv2")]
    [InlineData("groups")]
    [InlineData("packed_groups")]
    [InlineData("packed_stride2_pad2")]
    [InlineData("packed_dilation2")]
    [InlineData("packed_batch1_tail")]
    [InlineData("flipped_pad1")]
    public void EveryKernelWidthGivesTheSameBits(string shape)
    {
        var g = Geometries[shape];
        var saved = GemmMicroKernel.Isa;
        try
        {
            GemmMicroKernel.Isa = GemmIsa.Scalar;
            var scalar = Run<float>(Fast, g);
            foreach (var isa in new[] { GemmIsa.Vector128, GemmIsa.Vector256, GemmIsa.Vector512 }.Where(i => i <= saved))
            {
                GemmMicroKernel.Isa = isa;
                var wide = Run<float>(Fast, g);
                Assert.True(Bits(scalar.Y).SequenceEqual(Bits(wide.Y)), $"{shape}: y differs on {isa}");
                Assert.True(Bits(scalar.Gx).SequenceEqual(Bits(wide.Gx)), $"{shape}: ∂x differs on {isa}");
                Assert.True(Bits(scalar.Gw).SequenceEqual(Bits(wide.Gw)), $"{shape}: ∂W differs on {isa}");
            }
        }
        finally { GemmMicroKernel.Isa = saved; }
    }

    [Fact]
    public void TooSmallAScratchIsRefused()
    {
        var g = Geometries["3x3_pad1"];
        var e = Assert.Throws<ArgumentException>(() => Fast.Conv2d<float>(new float[g.InputLength], new float[g.WeightLength], default, g, new float[g.OutputLength], new float[3]));
        Assert.Contains("scratch has 3 elements", e.Message);
    }
}
