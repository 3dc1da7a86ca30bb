namespace Descent.Nn;

/// <summary>
/// Runs its layers in order, <c>torch.nn.Sequential</c>: y = fₙ(…f₂(f₁(x))). Children are named 0, 1, 2, … so the
/// first layer's weight is <c>0.weight</c>, as in PyTorch's state dict.
/// </summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>A Sequential of <paramref name="layers"/>, named by position.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer under the next index.</summary>
    public Sequential Add(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>
    /// The shape of one example the first layer expects, e.g. [1, 28, 28] for a convolution (Keras' <c>Input(shape=…)</c>);
    /// null: whatever arrives. A flat input [batch, Π shape] (data sets and loaders hand rows over flat) is viewed as
    /// [batch, …shape] before the first layer: a view, no copy, and no layer of its own, so the state-dict names stay PyTorch's.
    /// </summary>
    public int[]? InputShape
    {
        get => _inputShape;
        set
        {
            if (value is not null && (value.Length == 0 || value.Any(d => d < 1)))
                throw new ArgumentException($"Sequential: an input shape needs dimensions ≥ 1, got {Shape.Format(value)}.");
            _inputShape = value is null ? null : (int[])value.Clone();
        }
    }

    private int[]? _inputShape;

    /// <summary>
    /// What the first layer receives for <paramref name="x"/>: a flat [batch, Π shape] viewed as [batch, …<see cref="InputShape"/>]
    /// (anything else as it is). Whoever runs the layers one by one (a probe, a visualization) starts with it.
    /// </summary>
    public Tensor AsInput(Tensor x) =>
        _inputShape is { } shape && x.Rank == 2 && shape.Length > 1 && x.Shape[1] == Shape.Numel(shape)
            ? x.Reshape([x.Shape[0], .. shape])                          // [batch, Π shape] → [batch, …shape]
            : x;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => Run(x, _layers.Count);

    /// <summary>
    /// The last layer when it is a <see cref="Linear"/>, which a loss may run together with itself (the training step's
    /// Linear + softmax cross-entropy, <c>Ops.LinearCrossEntropy</c>) after <see cref="ForwardBody"/>; null otherwise, and
    /// while something watches every layer's output.
    /// </summary>
    internal Linear? Head => _layers.Count > 0 && _layers[^1] is Linear head && !IsObserved ? head : null;

    /// <summary>Every layer but the last (with the same fusions as <see cref="Forward"/>): the features <see cref="Head"/> takes.</summary>
    internal Tensor ForwardBody(Tensor x) => Run(x, _layers.Count - 1);

    /// <summary>Layers [0, <paramref name="end"/>) on <paramref name="x"/>.</summary>
    private Tensor Run(Tensor x, int end)
    {
        x = AsInput(x);
        for (int i = 0; i < end; i++)
        {
            // A Linear followed by a ReLU runs as one op: the ReLU is applied in the GEMM's epilogue (Ops.Linear).
            if (_layers[i] is Linear lin && x.Rank == 2 && i + 1 < end && _layers[i + 1] is ReLU && !IsObserved)
            {
                x = x.Linear(lin.Weight, lin.Bias, Kernels.GemmActivation.Relu);
                i++;
                continue;
            }
            // In evaluation, a convolution followed by a batch norm (and a ReLU) runs as one op: the batch norm folded into the
            // convolution's epilogue (Conv2d.ForwardBatchNorm; the unfused ops where something needs a gradient).
            if (_layers[i] is Conv2d conv && i + 1 < end && _layers[i + 1] is BatchNorm2d { Training: false } bn2 && !IsObserved)
            {
                bool relu = i + 2 < end && _layers[i + 2] is ReLU;
                x = conv.ForwardBatchNorm(x, bn2, relu);
                i += relu ? 2 : 1;
                continue;
            }
            // So does a batch norm followed by a ReLU (the ReLU folded into the batch norm's passes, BatchNorm.ForwardRelu).
            if (_layers[i] is BatchNorm bn && i + 1 < end && _layers[i + 1] is ReLU && !IsObserved)
            {
                x = bn.ForwardRelu(x);
                i++;
                continue;
            }
            x = _layers[i].Call(x);
        }
        return x;
    }
}
