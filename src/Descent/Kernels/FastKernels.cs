using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// The fast kernels: each op's span form (TensorPrimitives or a SIMD loop), vectorized reductions,
/// and <see cref="Gemm{T}(bool, bool, int, int, int, T, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, T, Span{T}, int)"/>. Results agree with <see cref="ReferenceKernels"/> to rounding.
/// </summary>
internal sealed class FastKernels : IKernels
{
    /// <summary>The one instance.</summary>
    public static readonly FastKernels Instance = new();

    private FastKernels() { }

    /// <inheritdoc/>
    public string Name => "fast";

    /// <summary>The GEMM micro-kernel in use: "Vector512", "Vector256", "Vector128" or "Scalar".</summary>
    public static string GemmKernel => GemmMicroKernel.Isa.ToString();

    /// <inheritdoc/>
    public void Unary<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, y.Length, "Unary");
        if (x.Length != 0) op.Invoke(x, y);
    }

    /// <inheritdoc/>
    public void UnaryBackward<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, gx.Length, "UnaryBackward");
        if (gx.Length != 0) op.Backward(x, y, gy, gx);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(a.Length, b.Length, "Binary");
        Check.SameLength(a.Length, y.Length, "Binary");
        if (y.Length != 0) op.Invoke(a, b, y);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, T b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(a.Length, y.Length, "Binary");
        if (y.Length != 0) op.Invoke(a, b, y);
    }

    /// <inheritdoc/>
    public void Binary<TOp, T>(TOp op, T a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(b.Length, y.Length, "Binary");
        if (y.Length != 0) op.Invoke(a, b, y);
    }

    /// <inheritdoc/>
    /// <remarks>Cascade summation in float64 (<see cref="CascadeSum"/>), rounded once to <typeparamref name="T"/>.</remarks>
    public T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(CascadeSum.Sum(x));

    /// <inheritdoc/>
    public int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x.Length == 0 ? -1 : TensorPrimitives.IndexOfMax(x);

    /// <inheritdoc/>
    public int ArgMin<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x.Length == 0 ? -1 : TensorPrimitives.IndexOfMin(x);

    /// <inheritdoc/>
    public void AddColumnSums<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReluBackwardColumnSums.Add(x, rows, cols, y);
    }

    /// <inheritdoc/>
    public void ReluMaskColumnSums<T>(Span<T> g, ReadOnlySpan<T> y, int rows, int cols, Span<T> sums) where T : unmanaged, IFloatingPointIeee754<T> =>
        ReluBackwardColumnSums.Run(g, y, rows, cols, sums);

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, Span<double> rowLoss, Span<double> rowWeight, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernels.SoftmaxCrossEntropy.CheckArguments(z, targets, classes, weight, rowLoss, rowWeight, g);
        for (int i = 0; i < targets.Length; i++)   // checked here: a worker thread must not throw
            if (targets[i] != ignoreIndex && (uint)targets[i] >= (uint)classes)
                throw new IndexOutOfRangeException($"cross_entropy: target {targets[i]} in row {i} is outside [0, {classes}).");
        SoftmaxCrossEntropyJob<T>.ForThisThread().Run(this, z, targets, classes, weight, smoothing, ignoreIndex, rowLoss, rowWeight, g);
    }

    /// <inheritdoc/>
    public void BatchNormForward<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(x.Length, n, c, spatial, gamma.Length, beta.Length, y.Length, xhat.Length, mean.Length, var.Length, invStd.Length);
        BatchNormKernel.CheckRelu(relu, spatial, 0, 0);
        BatchNormKernel.Forward(x, n, c, spatial, gamma, beta, eps, y, xhat, mean, var, invStd, fast: true, relu);
    }

    /// <inheritdoc/>
    public void BatchNormBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(gy.Length, n, c, spatial, gamma.Length, 0, gx.IsEmpty ? gy.Length : gx.Length, xhat.Length, invStd.Length, sumG.Length, sumGH.Length);
        BatchNormKernel.CheckRelu(!gate.IsEmpty, spatial, gate.Length, gy.Length);
        BatchNormKernel.Backward(gy, xhat, n, c, spatial, gamma, invStd, sumG, sumGH, gx, fast: true, gate);
    }

    /// <inheritdoc/>
    public void DropoutMask<T>(Rng rng, double p, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T> => Kernels.DropoutMask.Draw(rng, p, mask);

    /// <inheritdoc/>
    public void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        RowSoftmax(x, rows, cols, y);

    /// <inheritdoc/>
    /// <remarks>
    /// y = (x − max) − log Σ exp(x − max), with the reference's arithmetic: the max and Σ by the same scalar loop
    /// (T.Exp, in order), so the result is bitwise the reference's. <c>TensorPrimitives.Exp</c> is not used here: it
    /// is an ulp off even at 0 (exp(0f) = 1.0000001), which would shift every log-probability of a row.
    /// The subtractions are vectorized. Rows are short (classes), and training's cross-entropy does not come here.
    /// </remarks>
    public void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "LogSoftmax");
        Check.SameLength(y.Length, rows * cols, "LogSoftmax");
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            T max = ReferenceKernels.RowMax(xr);
            T sum = T.Zero;
            foreach (var v in xr) sum += T.Exp(v - max);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Subtract(yr, T.Log(sum), yr);
        }
    }

    /// <summary>Per row: e = exp(x − max), then y = e / Σe.</summary>
    private static void RowSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "Softmax");
        Check.SameLength(y.Length, rows * cols, "Softmax");
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            T max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            T sum = TensorPrimitives.Sum<T>(yr);
            TensorPrimitives.Divide(yr, sum, yr);
        }
    }

    /// <inheritdoc/>
    public void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.Gemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        Kernels.Gemm.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, default, GemmActivation.None);
    }

    /// <inheritdoc/>
    public void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, ReadOnlySpan<T> bias, GemmActivation activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.Gemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        Check.GemmBias(bias.Length, n);
        Kernels.Gemm.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, activation);
    }

    // Convolution

    /// <inheritdoc/>
    public int Conv2dScratchLength(in Conv2dGeometry g) => Conv2dKernel.ScratchLength(g);

    /// <inheritdoc/>
    public void Conv2d<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y, Span<T> scratch,
        ReadOnlySpan<T> scale = default, ReadOnlySpan<T> shift = default, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T> =>
        Conv2dKernel.Forward(x, weight, bias, g, y, scratch, scale, shift, relu);

    /// <inheritdoc/>
    public void Conv2dBackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> weight, in Conv2dGeometry g, Span<T> gx, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.BackwardInput(gy, weight, g, gx, scratch);

    /// <inheritdoc/>
    public void Conv2dBackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gweight, Span<T> gbias, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.BackwardWeight(gy, x, g, gweight, gbias, scratch);
    // Pooling

    /// <inheritdoc/>
    public void MaxPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("MaxPool2dForward", x.Length, y.Length, argmax.IsEmpty ? y.Length : argmax.Length);
        PoolJob<T>.MaxForward(x, shape, y, argmax);
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape shape, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("MaxPool2dBackward", gx.Length, gy.Length, argmax.Length);
        PoolJob<T>.MaxBackward(gy, argmax, shape, gx);
    }

    /// <inheritdoc/>
    public void AvgPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, bool countIncludePad, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("AvgPool2dForward", x.Length, y.Length);
        PoolJob<T>.AvgForward(x, shape, countIncludePad, y);
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward<T>(ReadOnlySpan<T> gy, Pool2dShape shape, bool countIncludePad, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.CheckLengths("AvgPool2dBackward", gx.Length, gy.Length);
        PoolJob<T>.AvgBackward(gy, shape, countIncludePad, gx);
    }

    /// <inheritdoc/>
    public void AdaptiveAvgPool2dForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Pool2dShape.CheckAdaptive(planes, h, w, oh, ow, x.Length, y.Length, "AdaptiveAvgPool2dForward");
        PoolJob<T>.AdaptiveForward(x, planes, h, w, oh, ow, y);
    }

    /// <inheritdoc/>
    public void AdaptiveAvgPool2dBackward<T>(ReadOnlySpan<T> gy, int planes, int h, int w, int oh, int ow, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Pool2dShape.CheckAdaptive(planes, h, w, oh, ow, gx.Length, gy.Length, "AdaptiveAvgPool2dBackward");
        PoolJob<T>.AdaptiveBackward(gy, planes, h, w, oh, ow, gx);
    }

    /// <inheritdoc/>
    public void BatchNormNormalize<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormKernel.CheckLengths(x.Length, n, c, spatial, gamma.Length, beta.Length, y.Length, xhat.IsEmpty ? x.Length : xhat.Length, mean.Length, invStd.Length, c);
        BatchNormKernel.Normalize(x, n, c, spatial, mean, invStd, gamma, beta, y, xhat, fast: true, relu);
    }

    /// <inheritdoc/>
    public void ChannelAffine<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.ChannelAffine(x.Length, n, c, spatial, scale.Length, shift.Length, y.Length);
        BatchNormChannelsJob<T>.ForThisThread().Affine(x, n, c, spatial, scale, shift, y, relu);
    }
}
