using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>Fast kernels against the reference on every length 0..256 and on odd matrix shapes.</summary>
public class KernelParityTests
{
    private static readonly IKernels Ref = ReferenceKernels.Instance, Fast = FastKernels.Instance;

    private static T[] Data<T>(int n, ulong seed, double lo = -3, double hi = 3) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Rng(seed);
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateTruncating(r.Uniform(lo, hi));
        return a;
    }

    private static void AssertClose<T>(ReadOnlySpan<T> e, ReadOnlySpan<T> a, double rel, double abs, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < e.Length; i++)
        {
            double ev = double.CreateTruncating(e[i]), av = double.CreateTruncating(a[i]);
            if (ev == av || (double.IsNaN(ev) && double.IsNaN(av))) continue;
            Assert.True(Math.Abs(ev - av) <= rel * Math.Abs(ev) + abs, $"{what} [{i}] of {e.Length}: reference {ev:R}, fast {av:R}");
        }
    }

    private static void Unary<TOp, T>(TOp op, string name, double lo = -3, double hi = 3)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rel = typeof(T) == typeof(float) ? 4e-6 : 1e-13;
        for (int n = 0; n <= 256; n++)
        {
            var x = Data<T>(n, (ulong)n, lo, hi);
            T[] e = new T[n], a = new T[n];
            Ref.Unary(op, (ReadOnlySpan<T>)x, e);
            Fast.Unary(op, (ReadOnlySpan<T>)x, a);
            AssertClose<T>(e, a, rel, rel * 1e-3, $"{name}<{typeof(T).Name}>");
            var gy = Data<T>(n, 1000 + (ulong)n);
            T[] ge = new T[n], ga = new T[n];
            Ref.UnaryBackward(op, x, e, gy, ge);
            Fast.UnaryBackward(op, x, e, gy, ga);
            AssertClose<T>(ge, ga, rel, rel * 1e-3, $"{name}′<{typeof(T).Name}>");
        }
    }

    private static void AllUnary<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Unary<Descent.Ops.NegOp, T>(default, "neg");
        Unary<Descent.Ops.ExpOp, T>(default, "exp");
        Unary<Descent.Ops.LogOp, T>(default, "log", 0.01, 10);
        Unary<Descent.Ops.SqrtOp, T>(default, "sqrt", 0, 10);
        Unary<Descent.Ops.AbsOp, T>(default, "abs");
        Unary<Descent.Ops.TanhOp, T>(default, "tanh");
        Unary<Descent.Ops.SigmoidOp, T>(default, "sigmoid", -20, 20);
        Unary<Descent.Ops.ReluOp, T>(default, "relu");
        Unary<Descent.Ops.LeakyReluOp, T>(new(0.2), "leaky_relu");
        Unary<Descent.Ops.EluOp, T>(new(1.0), "elu");
        Unary<Descent.Ops.GeluOp, T>(default, "gelu");
        Unary<Descent.Ops.ClampOp, T>(new(-1, 0.5), "clamp");
        Unary<Descent.Ops.PowOp, T>(new(3), "pow3", 0.1, 3);
        Unary<Descent.Ops.PowOp, T>(new(2), "square");
    }

    [Fact] public void UnaryFloat() => AllUnary<float>();
    [Fact] public void UnaryDouble() => AllUnary<double>();

    private static void Binary<TOp, T>(TOp op, string name) where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rel = typeof(T) == typeof(float) ? 1e-6 : 1e-15;
        for (int n = 0; n <= 256; n++)
        {
            var a = Data<T>(n, (ulong)n);
            var b = Data<T>(n, 500 + (ulong)n, 0.5, 3);
            T s = T.CreateTruncating(1.75);
            T[] e = new T[n], f = new T[n];
            Ref.Binary(op, (ReadOnlySpan<T>)a, b, e); Fast.Binary(op, (ReadOnlySpan<T>)a, b, f);
            AssertClose<T>(e, f, rel, 0, name);
            Ref.Binary(op, (ReadOnlySpan<T>)a, s, e); Fast.Binary(op, (ReadOnlySpan<T>)a, s, f);
            AssertClose<T>(e, f, rel, 0, name + " (tensor, scalar)");
            Ref.Binary(op, s, (ReadOnlySpan<T>)b, e); Fast.Binary(op, s, (ReadOnlySpan<T>)b, f);
            AssertClose<T>(e, f, rel, 0, name + " (scalar, tensor)");
        }
    }

    [Fact]
    public void BinaryOps()
    {
        Binary<Descent.Ops.AddOp, float>(default, "add"); Binary<Descent.Ops.AddOp, double>(default, "add");
        Binary<Descent.Ops.SubOp, float>(default, "sub"); Binary<Descent.Ops.SubOp, double>(default, "sub");
        Binary<Descent.Ops.MulOp, float>(default, "mul"); Binary<Descent.Ops.MulOp, double>(default, "mul");
        Binary<Descent.Ops.DivOp, float>(default, "div"); Binary<Descent.Ops.DivOp, double>(default, "div");
    }

    private static void Reductions<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;
        for (int n = 0; n <= 256; n++)
        {
            var x = Data<T>(n, 7 + (ulong)n);
            double absSum = x.Sum(v => Math.Abs(double.CreateTruncating(v)));
            double e = double.CreateTruncating(Ref.Sum<T>(x)), a = double.CreateTruncating(Fast.Sum<T>(x));
            Assert.True(Math.Abs(e - a) <= 2 * n * eps * absSum + 1e-30, $"sum n={n}: {e} vs {a}");
            Assert.Equal(Ref.ArgMax<T>(x), Fast.ArgMax<T>(x));
            Assert.Equal(Ref.ArgMin<T>(x), Fast.ArgMin<T>(x));
            foreach (int cols in new[] { 1, 3, 10 })
            {
                if (n % cols != 0) continue;
                int rows = n / cols;
                T[] se = new T[n], sa = new T[n];
                Ref.Softmax<T>(x, rows, cols, se); Fast.Softmax<T>(x, rows, cols, sa);
                AssertClose<T>(se, sa, 1e3 * eps, 1e3 * eps * 1e-3, $"softmax {rows}x{cols}");
                Ref.LogSoftmax<T>(x, rows, cols, se); Fast.LogSoftmax<T>(x, rows, cols, sa);
                AssertClose<T>(se, sa, 1e3 * eps, 1e3 * eps, $"log_softmax {rows}x{cols}");
                T[] ce = new T[cols], ca = new T[cols];
                Ref.AddColumnSums<T>(x, rows, cols, ce); Fast.AddColumnSums<T>(x, rows, cols, ca);
                AssertClose<T>(ce, ca, 1e2 * eps, 1e2 * eps, $"column sums {rows}x{cols}");
            }
        }
    }

    /// <summary>
    /// The ReLU mask and column sums of a linear layer's backward pass: the fast kernel (columns split over threads,
    /// whole vectors plus a scalar tail) gives bitwise the reference's numbers, with and without each half, for widths
    /// around the vector sizes and a matrix large enough to be split; a gate of exactly 0 or NaN masks.
    /// </summary>
    private static void ReluMaskColumnSums<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (rows, cols) in new[] { (0, 5), (1, 1), (3, 7), (5, 16), (9, 33), (128, 256), (64, 131), (200, 70) })
            foreach (bool mask in new[] { true, false })
                foreach (bool sums in new[] { true, false })
                {
                    var g = Data<T>(rows * cols, 11 + (ulong)cols);
                    var y = Data<T>(rows * cols, 13 + (ulong)rows);
                    if (y.Length > 2) { y[0] = T.Zero; y[1] = T.NaN; }
                    T[] ge = (T[])g.Clone(), ga = (T[])g.Clone(), se = new T[cols], sa = new T[cols];
                    for (int j = 0; j < cols; j++) sa[j] = se[j] = T.CreateTruncating(99);   // overwritten, not added to
                    Ref.ReluMaskColumnSums<T>(ge, mask ? y : default, rows, cols, sums ? se : default);
                    Fast.ReluMaskColumnSums<T>(ga, mask ? y : default, rows, cols, sums ? sa : default);
                    string what = $"{rows}x{cols} mask={mask} sums={sums}";
                    for (int i = 0; i < ge.Length; i++) Assert.True(ge[i] == ga[i] || (T.IsNaN(ge[i]) && T.IsNaN(ga[i])), $"{what}: g[{i}] {ge[i]} vs {ga[i]}");
                    for (int j = 0; j < cols; j++) Assert.True(se[j] == sa[j], $"{what}: sum[{j}] {se[j]} vs {sa[j]}");
                    if (mask && y.Length > 2) { Assert.Equal(T.Zero, ga[0]); Assert.Equal(T.Zero, ga[1]); }
                    if (sums && rows > 0)
                    {
                        double expected = 0;
                        for (int i = 0; i < rows; i++) expected += double.CreateTruncating(ga[i * cols + cols - 1]);
                        Assert.Equal(expected, double.CreateTruncating(sa[cols - 1]), typeof(T) == typeof(float) ? 3 : 10);
                    }
                }
    }

    [Fact] public void ReluMaskColumnSumsFloat() => ReluMaskColumnSums<float>();
    [Fact] public void ReluMaskColumnSumsDouble() => ReluMaskColumnSums<double>();

    [Fact] public void ReductionsFloat() => Reductions<float>();
    [Fact] public void ReductionsDouble() => Reductions<double>();

    private static void Gemm<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;
        int[] sizes = [0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100];
        var r = new Rng(3);
        int cases = 0;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                for (int c = 0; c < 40; c++)
                {
                    int m = sizes[r.NextInt(sizes.Length)], n = sizes[r.NextInt(sizes.Length)], k = sizes[r.NextInt(sizes.Length)];
                    int lda = (ta ? m : k) + r.NextInt(3), ldb = (tb ? k : n) + r.NextInt(3), ldc = n + r.NextInt(3);
                    lda = Math.Max(lda, 1); ldb = Math.Max(ldb, 1); ldc = Math.Max(ldc, 1);
                    var a = Data<T>(Math.Max((ta ? k : m) * lda, 1), (ulong)c);
                    var b = Data<T>(Math.Max((tb ? n : k) * ldb, 1), 100 + (ulong)c);
                    var c0 = Data<T>(Math.Max(m * ldc, 1), 200 + (ulong)c);
                    T alpha = T.CreateTruncating(c % 3 == 0 ? 1.0 : 0.5), beta = T.CreateTruncating(c % 2 == 0 ? 0.0 : 1.5);
                    var ce = (T[])c0.Clone(); var ca = (T[])c0.Clone();
                    Ref.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, ce, ldc);
                    Fast.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, ca, ldc);
                    AssertClose<T>(ce, ca, 0, 9 * (k + 2) * eps * 4, $"gemm ta={ta} tb={tb} m={m} n={n} k={k}");
                    cases++;
                }
        Assert.Equal(160, cases);
    }

    [Fact] public void GemmFloat() => Gemm<float>();
    [Fact] public void GemmDouble() => Gemm<double>();

    [Fact]
    public void GemmIgnoresNaNInCWhenBetaIsZero()
    {
        foreach (var k in new[] { Ref, Fast })
        {
            var c = new[] { float.NaN, float.NaN };
            k.Gemm(false, false, 1, 2, 1, 1f, new float[] { 2 }, 1, new float[] { 3, 4 }, 2, 0f, c, 2);
            Assert.Equal(new float[] { 6, 8 }, c);
        }
    }

    [Fact]
    public void EnvironmentSelectsKernels()
    {
        Assert.Same(ReferenceKernels.Instance, KernelProvider.Select("reference"));
        Assert.Same(FastKernels.Instance, KernelProvider.Select(null));
        Assert.Throws<ArgumentException>(() => KernelProvider.Select("gpu"));
    }
}
