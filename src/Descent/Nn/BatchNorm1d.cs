using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// Batch normalization over the batch axis (Ioffe and Szegedy 2015), <c>torch.nn.BatchNorm1d</c> for x [batch, C]:
/// y = γ·(x − μ)/√(σ² + ε) + β per feature.
/// </summary>
/// <remarks>
/// Training: μ and σ² are the batch mean and the <i>biased</i> batch variance (divide by N), computed by the fused
/// <see cref="Ops.BatchNormTrain"/>; the running statistics are then updated with momentum m = the weight of the new
/// batch (PyTorch's convention): running_mean ← (1 − m)·running_mean + m·μ and
/// running_var ← (1 − m)·running_var + m·σ²·N/(N − 1) (the <i>unbiased</i> variance).
/// Keras' BatchNormalization uses momentum = the weight of the old value (0.99 ≈ PyTorch's 0.01) and the biased variance.
/// Evaluation: μ, σ² are the running statistics. γ (<c>weight</c>) starts at 1, β (<c>bias</c>) at 0; running_mean
/// at 0, running_var at 1. PyTorch's <c>num_batches_tracked</c> buffer is not kept.
/// </remarks>
public sealed class BatchNorm1d : Module
{
    /// <summary>γ [C] (null when not affine).</summary>
    public Tensor? Weight { get; private set; }

    /// <summary>β [C] (null when not affine).</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Running mean [C].</summary>
    public Tensor RunningMean { get; private set; }

    /// <summary>Running unbiased variance [C].</summary>
    public Tensor RunningVar { get; private set; }

    /// <summary>Number of features C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Weight m of the new batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <summary>BatchNorm1d over <paramref name="numFeatures"/> features; initializers for γ and β default to ones and zeros.</summary>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
        Initializer? weightInit = null, Initializer? biasInit = null, Rng? rng = null, DType dtype = DType.Float32)
    {
        if (numFeatures <= 0) throw new ArgumentException($"BatchNorm1d: number of features must be > 0, got {numFeatures}.");
        if (!(eps > 0)) throw new ArgumentException($"BatchNorm1d: eps must be > 0, got {eps}.");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"BatchNorm1d: momentum must be in [0, 1], got {momentum}.");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            var r = rng ?? new Rng(0);
            var fans = (numFeatures, numFeatures);
            Weight = RegisterParameter("weight", (weightInit ?? Initializer.Ones).Initialize(Tensor.Zeros(dtype, numFeatures), r, fans));
            Bias = RegisterParameter("bias", (biasInit ?? Initializer.Zeros).Initialize(Tensor.Zeros(dtype, numFeatures), r, fans));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(dtype, numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(dtype, numFeatures));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != NumFeatures)
            throw new ShapeException($"BatchNorm1d({NumFeatures}): expected input [batch, {NumFeatures}], got {Shape.Format(x.Shape)}.");
        if (!Training)
        {
            // y = (x − running_mean)/√(running_var + ε)·γ + β; the statistics are constants, γ and β stay in the graph.
            var xhat = x.Sub(RunningMean).Div(RunningVar.Add(Eps).Sqrt());   // [batch, C]
            return Weight is null ? xhat : xhat.Mul(Weight).Add(Bias!);
        }
        return x.BatchNormTrain(Weight, Bias, Eps, RunningMean, RunningVar, Momentum, out _, out _);
    }

    /// <inheritdoc/>
    protected override void OnTensorReplaced(string name, Tensor tensor)
    {
        switch (name)
        {
            case "weight": Weight = tensor; break;
            case "bias": Bias = tensor; break;
            case "running_mean": RunningMean = tensor; break;
            case "running_var": RunningVar = tensor; break;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"BatchNorm1d({NumFeatures}, eps={Eps}, momentum={Momentum}, affine={(Weight is not null).ToString().ToLowerInvariant()})";
}
