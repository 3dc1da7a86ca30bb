using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The definition of every kernel as the plainest scalar loop, in the obvious order. Slow and
/// obviously right: the fast kernels are tested against these, and <c>DESCENT_KERNELS=reference</c>
/// runs everything on them.
/// </summary>
internal sealed class ReferenceKernels : IKernels
{
    /// <summary>The one instance.</summary>
    public static readonly ReferenceKernels Instance = new();

    private ReferenceKernels() { }

    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public void Unary<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, y.Length, "Unary");
        for (int i = 0; i < x.Length; i++) y[i] = op.Invoke(x[i]);
    }

    /// <inheritdoc/>
    public void UnaryBackward<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, gx.Length, "UnaryBackward");
        Descent.Kernels.UnaryBackward.Scalar(op, x, y, gy, gx);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(a.Length, b.Length, "Binary");
        Check.SameLength(a.Length, y.Length, "Binary");
        for (int i = 0; i < a.Length; i++) y[i] = op.Invoke(a[i], b[i]);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, T b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(a.Length, y.Length, "Binary");
        for (int i = 0; i < a.Length; i++) y[i] = op.Invoke(a[i], b);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, T a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(b.Length, y.Length, "Binary");
        for (int i = 0; i < b.Length; i++) y[i] = op.Invoke(a, b[i]);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// In float64 with Neumaier's compensation (s + c, c collecting what each addition rounded off), rounded once to
    /// <typeparamref name="T"/>: nearly the exact sum, for any order of magnitudes. An infinite or NaN running sum is
    /// returned as it is (the compensation would turn ∞ into NaN).
    /// </remarks>
    public T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0, c = 0;
        foreach (var v in x)
        {
            double d = double.CreateTruncating(v), t = s + d;
            c += Math.Abs(s) >= Math.Abs(d) ? (s - t) + d : (d - t) + s;
            s = t;
        }
        return T.CreateTruncating(double.IsFinite(s) ? s + c : s);
    }

    /// <inheritdoc/>
    public int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return -1;
        int best = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (T.IsNaN(x[i])) return i;
            if (x[i] > x[best]) best = i;
        }
        return best;
    }

    /// <inheritdoc/>
    public int ArgMin<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return -1;
        int best = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (T.IsNaN(x[i])) return i;
            if (x[i] < x[best]) best = i;
        }
        return best;
    }

    /// <inheritdoc/>
    /// <remarks>Each column summed down the rows in float64, from y[j] on, and rounded once.</remarks>
    public void AddColumnSums<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "AddColumnSums");
        Check.SameLength(y.Length, cols, "AddColumnSums");
        for (int j = 0; j < cols; j++)
        {
            double s = double.CreateTruncating(y[j]);
            for (int i = 0; i < rows; i++) s += double.CreateTruncating(x[i * cols + j]);
            y[j] = T.CreateTruncating(s);
        }
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, Span<double> rowLoss, Span<double> rowWeight, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernels.SoftmaxCrossEntropy.CheckArguments(z, targets, classes, weight, rowLoss, rowWeight, g);
        Kernels.SoftmaxCrossEntropy.Reference(z, targets, classes, weight, smoothing, ignoreIndex, rowLoss, rowWeight, g);
    }

    /// <inheritdoc/>
    public void BatchNormForward<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(x.Length, n, c, spatial, gamma.Length, beta.Length, y.Length, xhat.Length, mean.Length, var.Length, invStd.Length);
        BatchNormKernel.CheckRelu(relu, spatial, 0, 0);
        BatchNormKernel.Forward(x, n, c, spatial, gamma, beta, eps, y, xhat, mean, var, invStd, fast: false, relu);
    }

    /// <inheritdoc/>
    public void BatchNormBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(gy.Length, n, c, spatial, gamma.Length, 0, gx.IsEmpty ? gy.Length : gx.Length, xhat.Length, invStd.Length, sumG.Length, sumGH.Length);
        BatchNormKernel.CheckRelu(!gate.IsEmpty, spatial, gate.Length, gy.Length);
        BatchNormKernel.Backward(gy, xhat, n, c, spatial, gamma, invStd, sumG, sumGH, gx, fast: false, gate);
    }

    /// <inheritdoc/>
    public void DropoutMask<T>(Rng rng, double p, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.DropoutMask.Draw(rng, p, mask);

    /// <inheritdoc/>
    public void ReluMaskColumnSums<T>(Span<T> g, ReadOnlySpan<T> y, int rows, int cols, Span<T> sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(g.Length, rows * cols, "ReluMaskColumnSums");
        if (!y.IsEmpty) Check.SameLength(y.Length, g.Length, "ReluMaskColumnSums");
        if (!sums.IsEmpty) Check.SameLength(sums.Length, cols, "ReluMaskColumnSums");
        for (int j = 0; j < cols; j++)
        {
            double s = 0;   // in float64, down the rows in order, rounded once
            for (int i = 0; i < rows; i++)
            {
                if (!y.IsEmpty && !(y[i * cols + j] > T.Zero)) g[i * cols + j] = T.Zero;
                s += double.CreateTruncating(g[i * cols + j]);
            }
            if (!sums.IsEmpty) sums[j] = T.CreateTruncating(s);
        }
    }

    /// <inheritdoc/>
    public void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "Softmax");
        Check.SameLength(y.Length, rows * cols, "Softmax");
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            T max = RowMax(xr);
            T sum = T.Zero;
            for (int j = 0; j < cols; j++) { yr[j] = T.Exp(xr[j] - max); sum += yr[j]; }
            for (int j = 0; j < cols; j++) yr[j] /= sum;
        }
    }

    /// <inheritdoc/>
    public void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "LogSoftmax");
        Check.SameLength(y.Length, rows * cols, "LogSoftmax");
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            T max = RowMax(xr);
            T sum = T.Zero;
            for (int j = 0; j < cols; j++) sum += T.Exp(xr[j] - max);
            T logSum = T.Log(sum);
            for (int j = 0; j < cols; j++) yr[j] = xr[j] - max - logSum;
        }
    }

    /// <summary>The largest element of a row (NaN if any is NaN; −∞ for an empty row).</summary>
    internal static T RowMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (var v in x) if (v > max || T.IsNaN(v)) max = v;
        return max;
    }

    /// <inheritdoc/>
    public void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.Gemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[p * lda + i] : a[i * lda + p];
                    T bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                }
                ref T cij = ref c[i * ldc + j];
                cij = beta == T.Zero ? alpha * s : alpha * s + beta * cij;
            }
        }
    }

    /// <inheritdoc/>
    public void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, ReadOnlySpan<T> bias, GemmActivation activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.GemmBias(bias.Length, n);
        Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                ref T cij = ref c[i * ldc + j];
                if (!bias.IsEmpty) cij += bias[j];
                if (activation == GemmActivation.Relu) cij = T.Max(cij, T.Zero);
            }
    }

    // Convolution

    /// <inheritdoc/>
    public int Conv2dScratchLength(in Conv2dGeometry g) => 0;

    /// <inheritdoc/>
    public void Conv2d<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y, Span<T> scratch,
        ReadOnlySpan<T> scale = default, ReadOnlySpan<T> shift = default, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Conv2dKernel.CheckEpilogue(g, scale.Length, shift.Length, relu);
        Conv2dReference.Forward(x, weight, bias, g, y);
        if (!scale.IsEmpty) Kernels.ChannelAffine.Apply<T>(y, g.Batch, g.OutChannels, g.OutPlane, scale, shift, y, relu, fast: false, 0, g.OutChannels);
    }

    /// <inheritdoc/>
    public void Conv2dBackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> weight, in Conv2dGeometry g, Span<T> gx, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T> => Conv2dReference.BackwardInput(gy, weight, g, gx);

    /// <inheritdoc/>
    public void Conv2dBackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gweight, Span<T> gbias, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T> => Conv2dReference.BackwardWeight(gy, x, g, gweight, gbias);
    // Pooling

    /// <inheritdoc/>
    public void MaxPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("MaxPool2dForward", x.Length, y.Length, argmax.IsEmpty ? y.Length : argmax.Length);
        MaxPool2dKernel.ForwardReference(x, shape, y, argmax);
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape shape, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("MaxPool2dBackward", gx.Length, gy.Length, argmax.Length);
        MaxPool2dKernel.BackwardReference(gy, argmax, shape, gx);
    }

    /// <inheritdoc/>
    public void AvgPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, bool countIncludePad, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("AvgPool2dForward", x.Length, y.Length);
        AvgPool2dKernel.ForwardReference(x, shape, countIncludePad, y);
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward<T>(ReadOnlySpan<T> gy, Pool2dShape shape, bool countIncludePad, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("AvgPool2dBackward", gx.Length, gy.Length);
        AvgPool2dKernel.BackwardReference(gy, shape, countIncludePad, gx);
    }

    /// <inheritdoc/>
    public void AdaptiveAvgPool2dForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Pool2dShape.CheckAdaptive(planes, h, w, oh, ow, x.Length, y.Length, "AdaptiveAvgPool2dForward");
        AdaptiveAvgPool2dKernel.ForwardReference(x, planes, h, w, oh, ow, y);
    }

    /// <inheritdoc/>
    public void AdaptiveAvgPool2dBackward<T>(ReadOnlySpan<T> gy, int planes, int h, int w, int oh, int ow, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Pool2dShape.CheckAdaptive(planes, h, w, oh, ow, gx.Length, gy.Length, "AdaptiveAvgPool2dBackward");
        AdaptiveAvgPool2dKernel.BackwardReference(gy, planes, h, w, oh, ow, gx);
    }

    /// <inheritdoc/>
    public void BatchNormNormalize<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(x.Length, n, c, spatial, gamma.Length, beta.Length, y.Length, xhat.IsEmpty ? x.Length : xhat.Length, mean.Length, invStd.Length, c);
        BatchNormKernel.Normalize(x, n, c, spatial, mean, invStd, gamma, beta, y, xhat, fast: false, relu);
    }

    /// <inheritdoc/>
    public void ChannelAffine<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.ChannelAffine(x.Length, n, c, spatial, scale.Length, shift.Length, y.Length);
        Kernels.ChannelAffine.Apply(x, n, c, spatial, scale, shift, y, relu, fast: false, 0, c);
    }
}

/// <summary>Argument checks shared by the kernels; messages name the kernel and the numbers.</summary>
internal static class Check
{
    public static void SameLength(int expected, int actual, string kernel)
    {
        if (expected != actual) throw new ArgumentException($"{kernel}: span lengths differ ({expected} vs {actual}).");
    }

    public static void GemmBias(int biasLength, int n)
    {
        if (biasLength != 0 && biasLength != n) throw new ArgumentException($"Gemm: bias has {biasLength} elements, expected 0 or n = {n}.");
    }

    public static void Gemm(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Gemm: negative size m={m}, n={n}, k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        // An empty matrix (a zero-size dimension, as PyTorch allows) is never read, so any leading dimension ≥ 0 will do.
        if (lda < LeadingMinimum(aRows, aCols) || ldb < LeadingMinimum(bRows, bCols) || ldc < LeadingMinimum(m, n))
            throw new ArgumentException($"Gemm: leading dimensions too small (lda={lda} for {aCols} columns, ldb={ldb} for {bCols}, ldc={ldc} for {n}).");
        if (aRows > 0 && aCols > 0 && (long)(aRows - 1) * lda + aCols > aLen) throw new ArgumentException($"Gemm: A has {aLen} elements, needs [{aRows}, {aCols}] with lda {lda}.");
        if (bRows > 0 && bCols > 0 && (long)(bRows - 1) * ldb + bCols > bLen) throw new ArgumentException($"Gemm: B has {bLen} elements, needs [{bRows}, {bCols}] with ldb {ldb}.");
        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLen) throw new ArgumentException($"Gemm: C has {cLen} elements, needs [{m}, {n}] with ldc {ldc}.");
    }

    private static int LeadingMinimum(int rows, int cols) => rows == 0 || cols == 0 ? 0 : cols;

    public static void ChannelAffine(int xLen, int n, int c, int spatial, int scaleLen, int shiftLen, int yLen)
    {
        if (n < 0 || c < 0 || spatial < 0 || (long)n * c * spatial != xLen || yLen != xLen)
            throw new ArgumentException($"ChannelAffine: x has {xLen} elements and y {yLen}, expected n·c·spatial = {n}·{c}·{spatial}.");
        if (scaleLen != c || shiftLen != c) throw new ArgumentException($"ChannelAffine: scale has {scaleLen} and shift {shiftLen} elements, expected c = {c}.");
    }
}
