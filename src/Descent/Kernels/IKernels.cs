using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The numeric work of every op, behind one interface with two implementations:
/// <see cref="ReferenceKernels"/> (plain scalar loops: the definition) and <see cref="FastKernels"/>
/// (SIMD, <c>TensorPrimitives</c>, blocked GEMM). Tests run both and compare them;
/// <c>DESCENT_KERNELS=reference</c> forces the reference (see <see cref="KernelProvider"/>).
/// </summary>
/// <remarks>
/// Conventions for every kernel: spans only, no allocation; parameter order is source(s),
/// arguments, destination last; element type <c>T</c> is float or double; gradients are named
/// with a <c>g</c> prefix (<c>gy</c> = ∂L/∂y). Matrices are row-major with a leading dimension.
/// </remarks>
internal interface IKernels
{
    /// <summary>"reference" or "fast".</summary>
    string Name { get; }

    /// <summary>y[i] = op(x[i]).</summary>
    void Unary<TOp, T>(TOp op, ReadOnlySpan<T> x, Span<T> y)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gx[i] = gy[i] · op′(x[i]) (y = op(x) is given for ops whose derivative is cheapest from it).</summary>
    void UnaryBackward<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = op(a[i], b[i]).</summary>
    void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = op(a[i], b).</summary>
    void Binary<TOp, T>(TOp op, ReadOnlySpan<T> a, T b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = op(a, b[i]).</summary>
    void Binary<TOp, T>(TOp op, T a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : struct, IBinaryOperator where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Σ x[i], accumulated in float64 (blocked and pairwise in the fast kernel) and rounded once to T; a fixed order for
    /// a given length, whatever the thread count: the result is reproducible. An empty span sums to 0.
    /// </summary>
    T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Index of the largest element (the first on ties; NaN counts as largest); −1 for an empty span.</summary>
    int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Index of the smallest element (the first on ties; NaN counts as smallest); −1 for an empty span.</summary>
    int ArgMin<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Column sums of a [rows, cols] matrix added into y [cols]: y[j] += Σᵢ x[i, j] (each column in float64 down the rows, rounded once).</summary>
    void AddColumnSums<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The backward pass of a linear layer's ReLU and bias, in one sweep: g ← g ⊙ [y &gt; 0] when y [rows, cols] is
    /// given (the ReLU mask from the layer's output), then sums[j] = Σᵢ g[i, j] when sums [cols] is given (∂L/∂b; each
    /// column in float64 down the rows, rounded once).
    /// </summary>
    void ReluMaskColumnSums<T>(Span<T> g, ReadOnlySpan<T> y, int rows, int cols, Span<T> sums) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Row-wise softmax of a [rows, cols] matrix: y = exp(x − max) / Σ exp(x − max).</summary>
    void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Row-wise log-softmax of a [rows, cols] matrix: y = (x − max) − log Σ exp(x − max), in that order.</summary>
    void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Softmax cross-entropy of the rows of logits z [rows, classes] against targets [rows] (see <see cref="SoftmaxCrossEntropy"/>
    /// for the formulas): writes each row's loss ℓᵢ and weight w[yᵢ] (float64, [rows]) and g = ∂ℓᵢ/∂z [rows, classes].
    /// weight [classes] or empty (all ones); rows whose target is <paramref name="ignoreIndex"/> give 0 everywhere.
    /// </summary>
    void SoftmaxCrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, Span<double> rowLoss, Span<double> rowWeight, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Batch normalization of x [n, c, spatial] per channel, over its n·spatial values (see <see cref="BatchNormKernel"/>;
    /// spatial = 1 for [batch, features], H·W for a feature map): writes y and x̂ [n, c, spatial] and the batch's μ, σ²
    /// (biased) and 1/√(σ² + ε) [c], in float64. Empty γ, β mean 1 and 0. With <paramref name="relu"/> (feature maps,
    /// spatial &gt; 1) y is max(γ·x̂ + β, 0), rounded first, as a separate ReLU would give it (NaN stays NaN).
    /// </summary>
    void BatchNormForward<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, double eps, Span<T> y, Span<T> xhat,
        Span<double> mean, Span<double> var, Span<double> invStd, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The backward of <see cref="BatchNormForward"/>: Σ g and Σ g·x̂ per channel [c] and, when gx is not empty, ∂L/∂x [n, c, spatial].
    /// With a <paramref name="gate"/> (the fused ReLU's output y, spatial &gt; 1), g counts only where gate &gt; 0.
    /// </summary>
    void BatchNormBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> xhat, int n, int c, int spatial, ReadOnlySpan<T> gamma, ReadOnlySpan<double> invStd,
        Span<double> sumG, Span<double> sumGH, Span<T> gx, ReadOnlySpan<T> gate = default) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// An inverted-dropout mask: mask[i] = 1/(1 − p) with probability 1 − p, else 0 (all 0 when p = 1), drawing
    /// <c>rng.NextDouble()</c> once per element in order (so every implementation gives the same mask for a generator state).
    /// </summary>
    void DropoutMask<T>(Rng rng, double p, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// General matrix multiply: C ← α·op(A)·op(B) + β·C with op(X) = X or Xᵀ (read transposed in place, never copied).
    /// op(A) is [m, k], op(B) is [k, n], C is [m, n]; lda, ldb, ldc are the row strides of A, B, C as stored.
    /// With β = 0, C's old contents are ignored (even NaN).
    /// </summary>
    void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// GEMM with a fused epilogue: C ← act(α·op(A)·op(B) + β·C + bias), bias [n] added to every row (empty: none),
    /// act applied last. One pass over C: y = relu(x·Wᵀ + b) of a linear layer is one call.
    /// </summary>
    void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, ReadOnlySpan<T> bias, GemmActivation activation) where T : unmanaged, IFloatingPointIeee754<T>;

    // Convolution

    /// <summary>Elements of scratch (of the element type) the convolution kernels below need for <paramref name="g"/> (the op allocates it once).</summary>
    int Conv2dScratchLength(in Conv2dGeometry g);

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch), NCHW: y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v]·x[n, g·Cin/groups + c, i·sh − ph + u·dh, j·sw − pw + v·dw]
    /// (x read as 0 outside), x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw], bias [Cout] or empty → y [N, Cout, Hout, Wout] (overwritten).
    /// With <paramref name="scale"/> and <paramref name="shift"/> [Cout] (an evaluation-mode batch norm folded, <see cref="ChannelAffine"/>),
    /// each output then becomes y·scale[o] + shift[o] (one FMA), and with <paramref name="relu"/> max(·, 0): the bits of
    /// the separate ops, applied while the outputs are in cache.
    /// </summary>
    void Conv2d<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y, Span<T> scratch,
        ReadOnlySpan<T> scale = default, ReadOnlySpan<T> shift = default, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>∂L/∂x [N, Cin, H, W] (overwritten) of <see cref="Conv2d"/>: each gy[n, o, i, j]·w[o, c, u, v] added where x[n, c, …] was read.</summary>
    void Conv2dBackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> weight, in Conv2dGeometry g, Span<T> gx, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// ∂L/∂w [Cout, Cin/groups, kh, kw] = Σ_{n, i, j} gy[n, o, i, j]·x[n, …] (overwritten; skipped when empty) and, when gbias is not
    /// empty, ∂L/∂b [Cout] = Σ_{n, i, j} gy[n, o, i, j] (in float64, rounded once).
    /// </summary>
    void Conv2dBackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gweight, Span<T> gbias, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>;

    // Pooling

    /// <summary>
    /// 2-D max pooling of NCHW planes (see <see cref="MaxPool2dKernel"/>): writes y and argmax [planes, OH, OW], argmax being
    /// the index ih·W + iw of the chosen cell within its plane (the first on ties, as PyTorch). An empty argmax (inference:
    /// nothing will need the backward pass) writes y alone, the same values.
    /// </summary>
    void MaxPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The backward of <see cref="MaxPool2dForward"/>: gx [planes, H, W] = 0, then gx[argmax] += gy.</summary>
    void MaxPool2dBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape shape, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>2-D average pooling of NCHW planes (see <see cref="AvgPool2dKernel"/>): writes y [planes, OH, OW].</summary>
    void AvgPool2dForward<T>(ReadOnlySpan<T> x, Pool2dShape shape, bool countIncludePad, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The backward of <see cref="AvgPool2dForward"/>: writes gx [planes, H, W].</summary>
    void AvgPool2dBackward<T>(ReadOnlySpan<T> gy, Pool2dShape shape, bool countIncludePad, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Adaptive average pooling of planes [H, W] to [OH, OW] with PyTorch's bins (see <see cref="AdaptiveAvgPool2dKernel"/>).</summary>
    void AdaptiveAvgPool2dForward<T>(ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The backward of <see cref="AdaptiveAvgPool2dForward"/>: writes gx [planes, H, W].</summary>
    void AdaptiveAvgPool2dBackward<T>(ReadOnlySpan<T> gy, int planes, int h, int w, int oh, int ow, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Batch normalization of x [n, c, spatial] with given per-channel μ and 1/√(σ² + ε) [c] (evaluation mode, the running
    /// statistics): x̂ = (x − μ)·(1/√(σ² + ε)), y = γ·x̂ + β in float64, each rounded once (see <see cref="BatchNormKernel"/>);
    /// x̂ is written only when not empty. Empty γ, β mean 1 and 0. With <paramref name="relu"/>, y = max(γ·x̂ + β, 0): a
    /// following ReLU folded into the same pass.
    /// </summary>
    void BatchNormNormalize<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma,
        ReadOnlySpan<T> beta, Span<T> y, Span<T> xhat, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// y [n, c, spatial] = x·scale_c + shift_c, one fused multiply-add an element (rounded once), then max(·, 0) with
    /// <paramref name="relu"/>: evaluation-mode batch norm with its statistics folded in (<see cref="ChannelAffine"/>). y may be x.
    /// </summary>
    void ChannelAffine<T>(ReadOnlySpan<T> x, int n, int c, int spatial, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// An elementwise function y = f(x): the scalar definition, its derivative, and a fast form over
/// whole spans (TensorPrimitives or a SIMD loop). One struct per op, in the op's file.
/// </summary>
internal interface IUnaryOperator
{
    /// <summary>f(x) for one element: the reference definition.</summary>
    T Invoke<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>f′(x), given x and y = f(x).</summary>
    T Derivative<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y = f(x) over spans, fast (must agree with <see cref="Invoke{T}(T)"/> to a few ulps).</summary>
    void Invoke<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gx = gy · f′(x) over spans, fast (<see cref="UnaryBackward.Scalar"/> when there is nothing faster).</summary>
    void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Shared forms of an elementwise backward pass.</summary>
internal static class UnaryBackward
{
    /// <summary>gx[i] = gy[i] · op′(x[i]) one element at a time: the reference, and the fast form of ops with no SIMD derivative.</summary>
    public static void Scalar<TOp, T>(TOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> gy, Span<T> gx)
        where TOp : struct, IUnaryOperator where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < gx.Length; i++) gx[i] = gy[i] * op.Derivative(x[i], y[i]);
    }
}

/// <summary>An elementwise function y = f(a, b), with fast span forms for tensor∘tensor, tensor∘scalar and scalar∘tensor.</summary>
internal interface IBinaryOperator
{
    /// <summary>f(a, b) for one pair: the reference definition.</summary>
    T Invoke<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = f(a[i], b[i]), fast.</summary>
    void Invoke<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = f(a[i], b), fast.</summary>
    void Invoke<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>y[i] = f(a, b[i]), fast.</summary>
    void Invoke<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}
