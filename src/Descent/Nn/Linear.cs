using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// Fully connected layer, <c>torch.nn.Linear</c>: y = x·Wᵀ + b with W [out, in] and b [out]; x [batch, in] → y [batch, out].
/// </summary>
/// <remarks>
/// Default initialization is PyTorch's: W ~ U(±1/√in) (kaiming_uniform with a = √5) and b ~ U(±1/√in)
/// (<see cref="VarianceScaling.TorchDefault"/>). Keras' Dense defaults differ (Glorot uniform weights, zero bias).
/// Any <see cref="Initializer"/> can be given for the weight and the bias; the bias initializer sees the weight's fans.
/// </remarks>
public sealed class Linear : Module
{
    /// <summary>W [out, in].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>b [out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Input and output widths.</summary>
    public int InFeatures { get; }

    /// <inheritdoc cref="InFeatures"/>
    public int OutFeatures { get; }

    /// <summary>A Linear layer with weights drawn from <paramref name="rng"/> (null: from the process-wide source, <see cref="Rng.FromGlobal"/>,
    /// seeded by <see cref="Rng.ManualSeed"/>); null initializers = PyTorch's default.</summary>
    public Linear(int inFeatures, int outFeatures, Rng? rng = null, bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null, DType dtype = DType.Float32)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: in and out features must be > 0, got in {inFeatures}, out {outFeatures}.");
        rng ??= Rng.FromGlobal();
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        var fans = (inFeatures, outFeatures);
        Weight = RegisterParameter("weight", (weightInit ?? VarianceScaling.TorchDefault()).Initialize(Tensor.Zeros(dtype, outFeatures, inFeatures), rng, fans));
        if (bias) Bias = RegisterParameter("bias", (biasInit ?? VarianceScaling.TorchDefault()).Initialize(Tensor.Zeros(dtype, outFeatures), rng, fans));
    }

    /// <summary>y = x·Wᵀ + b: [batch, in] → [batch, out], or, as PyTorch, a single example [in] → [out].</summary>
    public override Tensor Forward(Tensor x) => x.Rank == 1
        ? x.Reshape(1, x.Shape[0]).Linear(Weight, Bias).Reshape(OutFeatures)   // [in] → [1, in] → [1, out] → [out]
        : x.Linear(Weight, Bias);                                               // [batch, in] → [batch, out]

    /// <inheritdoc/>
    protected override void OnTensorReplaced(string name, Tensor tensor)
    {
        if (name == "weight") Weight = tensor; else if (name == "bias") Bias = tensor;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null).ToString().ToLowerInvariant()}";
}
