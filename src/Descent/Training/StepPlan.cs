using System.Numerics;
using Descent.Kernels;

namespace Descent.Training;

/// <summary>
/// A training step planned ahead, in the manner of llm.c: for a chain of known layers (a Sequential of
/// Linear, elementwise activations, Dropout, Flatten/Identity) with softmax cross-entropy, every
/// activation and gradient buffer is allocated once per batch size, and forward and backward run the
/// same kernels as the ops (<see cref="Ops.Linear"/>, the activation operator structs) — but without
/// building a graph, so a steady-state step allocates nothing.
/// </summary>
/// <remarks>
/// Buffers per layer l: a[l] [batch, width_l] (a[0] is the input batch), g[l] the gradient ∂L/∂a[l].
/// Parameter gradients are written (not accumulated) into each parameter's <c>Grad</c>, allocated on first use.
/// Loss: L = −(1/B) Σᵢ log softmax(zᵢ)[yᵢ]; ∂L/∂z = (softmax(z) − onehot(y)) / B.
/// </remarks>
public sealed class StepPlan
{
    private readonly IReadOnlyList<IPlannedLayer> _layers;
    private readonly int _inputWidth;
    private readonly DType _dtype;
    private readonly Dictionary<int, Buffers> _byBatch = [];

    private readonly string[] _forwardNames, _backwardNames;   // profile phase names, made once
    private readonly PlannedLinear? _head;                     // the last layer, run with the loss as one job (see ClassifierHeadJob)
    private readonly string _headName = "";

    private StepPlan(IReadOnlyList<IPlannedLayer> layers, int inputWidth, DType dtype)
    {
        (_layers, _inputWidth, _dtype) = (layers, inputWidth, dtype);
        if (layers[^1] is PlannedLinear { Relu: false } last) _head = last;
        _forwardNames = new string[layers.Count];
        _backwardNames = new string[layers.Count];
        int width = inputWidth;
        for (int l = 0; l < layers.Count; l++)
        {
            int next = layers[l].OutputWidth(width);
            _forwardNames[l] = $"forward {l + 1}: {layers[l]} {width}→{next}";
            _backwardNames[l] = $"backward {l + 1}: {layers[l]} {width}→{next}";
            if (l == layers.Count - 1 && _head is not null) _headName = $"layer {l + 1}: {layers[l]} {width}→{next} + softmax cross-entropy, forward and backward";
            width = next;
        }
    }

    /// <summary>Times each layer's forward and backward pass and the loss while set (the trainer sets it from <see cref="Trainer.Profile"/>).</summary>
    public StepProfile? Profile { get; set; }

    /// <summary>Plans a step for <paramref name="layers"/> (already mapped from a model), input width and dtype.</summary>
    public static StepPlan Create(IReadOnlyList<IPlannedLayer> layers, int inputWidth, DType dtype)
    {
        if (layers.Count == 0) throw new ArgumentException("StepPlan: no layers.");
        return new StepPlan(layers, inputWidth, dtype);
    }

    private sealed class Buffers
    {
        public required Tensor[] A;   // A[l]: input of layer l; A[^1]: logits  [batch, width]
        public required Tensor[] G;   // G[l]: ∂L/∂A[l]
    }

    private Buffers For(int batch)
    {
        if (_byBatch.TryGetValue(batch, out var b)) return b;
        var a = new Tensor[_layers.Count + 1];
        var g = new Tensor[_layers.Count + 1];
        int width = _inputWidth;
        a[0] = Tensor.Zeros(_dtype, batch, width);
        g[0] = Tensor.Zeros(_dtype, batch, width);
        for (int l = 0; l < _layers.Count; l++)
        {
            width = _layers[l].OutputWidth(width);
            a[l + 1] = Tensor.Zeros(_dtype, batch, width);
            g[l + 1] = Tensor.Zeros(_dtype, batch, width);
        }
        b = new Buffers { A = a, G = g };
        _byBatch[batch] = b;
        return b;
    }

    /// <summary>
    /// Forward, loss and backward for one batch x [batch, inputWidth]; parameter gradients are left in their
    /// <c>Grad</c>. Returns the mean loss and the number of correct arg-max predictions.
    /// </summary>
    public (double Loss, int Correct) Step(Tensor x, ReadOnlySpan<int> labels, bool training = true)
    {
        int batch = labels.Length;
        if (x.Rank != 2 || x.Shape[0] != batch || x.Shape[1] != _inputWidth || x.DType != _dtype)
            throw new ShapeException($"StepPlan: expected input [{batch}, {_inputWidth}] {_dtype.Name()}, got {Shape.Format(x.Shape)} {x.DType.Name()}.");
        var buf = For(batch);
        buf.A[0] = x;   // the layers read the caller's batch in place (valid for the whole step)
        var profile = Profile;
        int last = _layers.Count - 1, body = _head is null ? _layers.Count : last;   // layers run one by one
        for (int l = 0; l < body; l++)
        {
            _layers[l].Forward(buf.A[l], buf.A[l + 1], training);
            profile?.Mark(_forwardNames[l]);
        }
        var logits = buf.A[^1];
        var gLogits = buf.G[^1];
        (double Loss, int Correct) result;
        if (_head is not null)
        {
            result = _dtype == DType.Float32 ? Head<float>(buf, labels) : Head<double>(buf, labels);
            profile?.Mark(_headName);
        }
        else
        {
            result = _dtype == DType.Float32
                ? SoftmaxCrossEntropy<float>(logits.Floats, labels, logits.Shape[1], gLogits.Floats)
                : SoftmaxCrossEntropy<double>(logits.Doubles, labels, logits.Shape[1], gLogits.Doubles);
            profile?.Mark("softmax cross-entropy");
        }
        for (int l = body - 1; l >= 0; l--)
        {
            _layers[l].Backward(buf.A[l], buf.A[l + 1], buf.G[l + 1], l == 0 ? null : buf.G[l]);
            profile?.Mark(_backwardNames[l]);
        }
        return result;
    }

    /// <summary>The last layer with the loss, forward and backward, as one job (<see cref="ClassifierHeadJob{T}"/>).</summary>
    private (double Loss, int Correct) Head<T>(Buffers buf, ReadOnlySpan<int> labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var head = _head!;
        int last = _layers.Count - 1;
        var x = buf.A[last];
        var w = head.Weight;
        var gw = w.Grad ??= w.ZerosLike();
        var gb = head.Bias is null ? null : head.Bias.Grad ??= head.Bias.ZerosLike();
        return ClassifierHeadJob<T>.ForThisThread().Run(x.Span<T>(), w.Span<T>(), head.Bias is null ? default : head.Bias.Span<T>(), labels,
            x.Shape[1], w.Shape[0], buf.A[^1].Span<T>(), buf.G[^1].Span<T>(), last == 0 ? default : buf.G[last].Span<T>(), gw.Span<T>(),
            gb is null ? default : gb.Span<T>());
    }

    /// <summary>
    /// Inference: the logits [batch, classes] for x [batch, inputWidth] in evaluation mode (dropout off), computed in
    /// the plan's buffers — no graph, no allocation once the batch size has been seen. The tensor is valid until the next call.
    /// </summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != _inputWidth || x.DType != _dtype)
            throw new ShapeException($"StepPlan: expected input [batch, {_inputWidth}] {_dtype.Name()}, got {Shape.Format(x.Shape)} {x.DType.Name()}.");
        var buf = For(x.Shape[0]);
        buf.A[0] = x;
        for (int l = 0; l < _layers.Count; l++) _layers[l].Forward(buf.A[l], buf.A[l + 1], training: false);
        return buf.A[^1];
    }

    /// <summary>
    /// Fused softmax cross-entropy over rows of z [batch, classes]: returns (mean loss, correct) and writes
    /// gz = (softmax(z) − onehot(y)) / batch.
    /// </summary>
    /// <remarks>
    /// Per row i, with mᵢ = max_j z[i, j]: eᵢⱼ = exp(z[i, j] − mᵢ), Sᵢ = Σⱼ eᵢⱼ; lossᵢ = log Sᵢ − (z[i, yᵢ] − mᵢ)
    /// (log-softmax, in float64); softmax = e / S. Rows go in blocks of <see cref="SoftmaxCrossEntropyJob{T}.RowsPerPart"/>
    /// over the worker pool, exponentials and logarithms a block at a time (rows of a few classes are too short for a
    /// vector call each); the per-row losses are summed in row order, so the bits do not depend on the thread count.
    /// </remarks>
    internal static (double Loss, int Correct) SoftmaxCrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> labels, int classes, Span<T> gz)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = labels.Length;
        if (z.Length != batch * classes || gz.Length != z.Length)
            throw new ShapeException($"softmax cross-entropy: expected logits and gradient of {batch}×{classes} elements, got {z.Length} and {gz.Length}.");
        for (int i = 0; i < batch; i++)
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} of row {i} is outside [0, {classes}).");
        return SoftmaxCrossEntropyJob<T>.ForThisThread().Run(z, labels, classes, gz);
    }
}

/// <summary>One layer of a <see cref="StepPlan"/>: forward into a given buffer and backward from given buffers.</summary>
public interface IPlannedLayer
{
    /// <summary>Output width for an input width (throws if they do not fit).</summary>
    int OutputWidth(int inputWidth);

    /// <summary>y ← f(x) for x [batch, in], y [batch, out].</summary>
    void Forward(Tensor x, Tensor y, bool training);

    /// <summary>Writes the parameter gradients and, when <paramref name="gx"/> is given, ∂L/∂x.</summary>
    void Backward(Tensor x, Tensor y, Tensor gy, Tensor? gx);
}

/// <summary>
/// y = x·Wᵀ + b with W [out, in], b [out] — or, fused with a following ReLU, y = max(x·Wᵀ + b, 0) — in one GEMM
/// whose epilogue adds the bias (and applies the ReLU), as <see cref="Ops.Linear"/> does.
/// Backward: with the ReLU, G ← G ⊙ [y &gt; 0] first (y &gt; 0 exactly where the pre-activation is); then
/// ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_batch G, ∂L/∂x = G·W.
/// </summary>
public sealed class PlannedLinear(Tensor weight, Tensor? bias, bool relu = false) : IPlannedLayer
{
    /// <inheritdoc/>
    public override string ToString() => relu ? "linear+relu" : "linear";

    /// <summary>W [out, in].</summary>
    internal Tensor Weight => weight;

    /// <summary>b [out], or null.</summary>
    internal Tensor? Bias => bias;

    /// <summary>Whether a ReLU follows (fused).</summary>
    internal bool Relu => relu;

    /// <inheritdoc/>
    public int OutputWidth(int inputWidth)
    {
        if (inputWidth != weight.Shape[1]) throw new ShapeException($"linear: input width {inputWidth} does not fit weight {Shape.Format(weight.Shape)}.");
        return weight.Shape[0];
    }

    /// <inheritdoc/>
    public void Forward(Tensor x, Tensor y, bool training) =>
        Ops.GemmInto(x, false, weight, true, y, 0, bias, relu ? GemmActivation.Relu : GemmActivation.None);

    /// <inheritdoc/>
    public void Backward(Tensor x, Tensor y, Tensor gy, Tensor? gx)
    {
        var k = KernelProvider.Current;
        // gy is the plan's own buffer and is not read again: mask it in place (with the ReLU), and sum its columns
        // into ∂L/∂b, in one sweep.
        var gb = bias is null ? null : bias.Grad ??= bias.ZerosLike();
        if (relu || gb is not null)
        {
            if (gy.DType == DType.Float32) k.ReluMaskColumnSums(gy.Floats, relu ? y.Floats : default, gy.Shape[0], gy.Shape[1], gb is null ? default : gb.Floats);
            else k.ReluMaskColumnSums(gy.Doubles, relu ? y.Doubles : default, gy.Shape[0], gy.Shape[1], gb is null ? default : gb.Doubles);
        }
        var gw = weight.Grad ??= weight.ZerosLike();
        Ops.GemmInto(gy, true, x, false, gw, 0);                   // ∂L/∂W = Gᵀ·x   [out, in]
        if (gx is not null) Ops.GemmInto(gy, false, weight, false, gx, 0); // ∂L/∂x = G·W   [batch, in]
    }
}

/// <summary>An elementwise activation y = f(x) given by its operator struct (the one its op uses).</summary>
public sealed class PlannedActivation<TOp>(TOp op) : IPlannedLayer where TOp : struct, IUnaryOperator
{
    /// <inheritdoc/>
    public override string ToString() => typeof(TOp).Name.Replace("Op", "").ToLowerInvariant();

    /// <inheritdoc/>
    public int OutputWidth(int inputWidth) => inputWidth;

    /// <inheritdoc/>
    public void Forward(Tensor x, Tensor y, bool training)
    {
        var k = KernelProvider.Current;
        if (x.DType == DType.Float32) k.Unary(op, (ReadOnlySpan<float>)x.Floats, y.Floats);
        else k.Unary(op, (ReadOnlySpan<double>)x.Doubles, y.Doubles);
    }

    /// <inheritdoc/>
    public void Backward(Tensor x, Tensor y, Tensor gy, Tensor? gx)
    {
        if (gx is null) return;
        var k = KernelProvider.Current;
        if (x.DType == DType.Float32) k.UnaryBackward(op, x.Floats, y.Floats, gy.Floats, gx.Floats);
        else k.UnaryBackward(op, x.Doubles, y.Doubles, gy.Doubles, gx.Doubles);
    }
}
