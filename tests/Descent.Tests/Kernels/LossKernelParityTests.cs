using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The softmax cross-entropy and dropout-mask kernels: fast against reference (row counts across the fast kernel's
/// 32-row blocks, class weights, label smoothing, ignored rows), and the reference against the formula's meaning.
/// </summary>
public class LossKernelParityTests
{
    private static readonly IKernels Ref = ReferenceKernels.Instance, Fast = FastKernels.Instance;

    private static void CrossEntropy<T>(int rows, int classes, bool weights, double smoothing, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng(seed);
        var z = new T[rows * classes];
        for (int i = 0; i < z.Length; i++) z[i] = T.CreateTruncating(r.Uniform(-6, 6));
        var t = new int[rows];
        for (int i = 0; i < rows; i++) t[i] = i % 7 == 3 ? -100 : (int)(r.NextDouble() * classes);
        var w = weights ? Enumerable.Range(0, classes).Select(j => 0.5 + j % 3).ToArray() : [];
        double[] le = new double[rows], la = new double[rows], we = new double[rows], wa = new double[rows];
        T[] ge = new T[z.Length], ga = new T[z.Length];
        Ref.SoftmaxCrossEntropy<T>(z, t, classes, w, smoothing, -100, le, we, ge);
        Fast.SoftmaxCrossEntropy<T>(z, t, classes, w, smoothing, -100, la, wa, ga);
        double tol = typeof(T) == typeof(float) ? 2e-6 : 1e-13;
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(we[i], wa[i]);
            Assert.True(Math.Abs(le[i] - la[i]) <= tol * (1 + Math.Abs(le[i])), $"row {i} loss: reference {le[i]:R}, fast {la[i]:R}");
            double gsum = 0;
            for (int j = 0; j < classes; j++)
            {
                double e = double.CreateTruncating(ge[i * classes + j]), a = double.CreateTruncating(ga[i * classes + j]);
                Assert.True(Math.Abs(e - a) <= tol * (1 + Math.Abs(e)), $"row {i} class {j} gradient: reference {e:R}, fast {a:R}");
                gsum += e;
            }
            // Σⱼ gᵢⱼ = Σⱼ pᵢⱼ·Σq − Σq = 0: the gradient of a row sums to zero.
            Assert.True(Math.Abs(gsum) <= 10 * tol * (1 + (weights ? 3 : 1)), $"row {i}: gradient sums to {gsum}");
            if (t[i] == -100) { Assert.Equal(0, le[i]); Assert.Equal(0, we[i]); }
        }
    }

    [Theory]
    [InlineData(1, 10, false, 0.0)]
    [InlineData(31, 3, false, 0.0)]
    [InlineData(33, 10, true, 0.0)]
    [InlineData(128, 10, false, 0.1)]
    [InlineData(70, 5, true, 0.3)]
    public void SoftmaxCrossEntropyFastMatchesReference(int rows, int classes, bool weights, double smoothing)
    {
        CrossEntropy<float>(rows, classes, weights, smoothing, (ulong)(rows * 31 + classes));
        CrossEntropy<double>(rows, classes, weights, smoothing, (ulong)(rows * 37 + classes));
    }

    [Fact]
    public void CrossEntropyRowMatchesTheDefinition()
    {
        // z = [1, 2, 3], y = 2: ℓ = log(e¹ + e² + e³) − 3; g = softmax − onehot.
        double[] z = [1, 2, 3], g = new double[3], loss = new double[1], w = new double[1];
        Ref.SoftmaxCrossEntropy<double>(z, [2], 3, [], 0, -100, loss, w, g);
        double s = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Log(s) - 3, loss[0], 14);
        Assert.Equal(Math.Exp(1) / s, g[0], 14);
        Assert.Equal(Math.Exp(3) / s - 1, g[2], 14);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void DropoutMaskIsTheSameDrawOnBothKernels(double p)
    {
        for (int n = 0; n <= 130; n += 13)
        {
            float[] e = new float[n], a = new float[n];
            Ref.DropoutMask(new Rng(4, (ulong)n), p, e.AsSpan());
            Fast.DropoutMask(new Rng(4, (ulong)n), p, a.AsSpan());
            Assert.Equal(e, a);
            float scale = p == 1 ? 0 : (float)(1 / (1 - p));
            Assert.All(e, v => Assert.True(v == 0 || v == scale));
        }
    }
}

/// <summary>The batch-norm kernel: the fast form does the reference's float64 operations in the same order, so the bits agree.</summary>
public class BatchNormKernelParityTests
{
    private static void Check<T>(int n, int c, bool affine) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng((ulong)(n * 1000 + c));
        T[] Fill(int len, double lo, double hi) { var v = new T[len]; for (int i = 0; i < len; i++) v[i] = T.CreateTruncating(r.Uniform(lo, hi)); return v; }
        var x = Fill(n * c, 50, 53);   // offset data: the statistics must not lose it
        var gamma = affine ? Fill(c, 0.5, 2) : [];
        var beta = affine ? Fill(c, -1, 1) : [];
        var gy = Fill(n * c, -1, 1);
        var outs = new List<(T[] Y, T[] H, double[] Mu, double[] Var, double[] Inv, double[] SG, double[] SGH, T[] GX)>();
        foreach (var k in new IKernels[] { ReferenceKernels.Instance, FastKernels.Instance })
        {
            T[] y = new T[n * c], h = new T[n * c], gx = new T[n * c];
            double[] mu = new double[c], v = new double[c], inv = new double[c], sg = new double[c], sgh = new double[c];
            k.BatchNormForward<T>(x, n, c, 1, gamma, beta, 1e-5, y, h, mu, v, inv);
            k.BatchNormBackward<T>(gy, h, n, c, 1, gamma, inv, sg, sgh, gx);
            outs.Add((y, h, mu, v, inv, sg, sgh, gx));
        }
        var (e, a) = (outs[0], outs[1]);
        Assert.Equal(e.Y, a.Y); Assert.Equal(e.H, a.H); Assert.Equal(e.Mu, a.Mu); Assert.Equal(e.Var, a.Var);
        Assert.Equal(e.Inv, a.Inv); Assert.Equal(e.SG, a.SG); Assert.Equal(e.SGH, a.SGH); Assert.Equal(e.GX, a.GX);
        // x̂ has mean 0 and variance 1 per column (the definition).
        for (int j = 0; j < c; j++)
        {
            double m = 0, s = 0;
            for (int i = 0; i < n; i++) m += double.CreateTruncating(e.H[i * c + j]);
            m /= n;
            for (int i = 0; i < n; i++) s += Math.Pow(double.CreateTruncating(e.H[i * c + j]) - m, 2);
            Assert.True(Math.Abs(m) < 1e-5 && Math.Abs(s / n - 1) < 1e-3, $"column {j}: mean {m}, variance {s / n}");
        }
    }

    [Theory]
    [InlineData(2, 1, true)]
    [InlineData(17, 300, false)]
    [InlineData(128, 256, true)]
    public void FastIsBitwiseTheReference(int n, int c, bool affine)
    {
        Check<float>(n, c, affine);
        Check<double>(n, c, affine);
    }
}
