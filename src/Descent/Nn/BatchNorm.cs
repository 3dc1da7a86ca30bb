using System.Globalization;
using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// What <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> share (PyTorch's <c>_BatchNorm</c>): batch normalization
/// (Ioffe and Szegedy 2015) of x [batch, C, …] per channel (axis 1), y = γ·(x − μ)/√(σ² + ε) + β, the statistics taken over
/// every axis but the channel's.
/// </summary>
/// <remarks>
/// Training: μ and σ² are the batch mean and the <i>biased</i> batch variance (divide by M, the values per channel:
/// batch·d₁·…), computed by the fused <see cref="Ops.BatchNormTrain(Tensor, Tensor?, Tensor?, double, Tensor?, Tensor?, double, out Tensor, out Tensor)"/>,
/// which also updates the running statistics with momentum m = the weight of the new batch (PyTorch's convention):
/// running_mean ← (1 − m)·running_mean + m·μ and running_var ← (1 − m)·running_var + m·σ²·M/(M − 1) (the <i>unbiased</i> variance).
/// Keras' BatchNormalization uses momentum = the weight of the old value (0.99 ≈ PyTorch's 0.01) and the biased variance.
/// Evaluation: μ, σ² are the running statistics. γ (<c>weight</c>) starts at 1, β (<c>bias</c>) at 0; running_mean
/// at 0, running_var at 1. PyTorch's <c>num_batches_tracked</c> buffer is not kept (it only matters for momentum = None).
/// </remarks>
public abstract class BatchNorm : Module
{
    /// <summary>γ [C] (null when not affine).</summary>
    public Tensor? Weight { get; private set; }

    /// <summary>β [C] (null when not affine).</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Running mean [C].</summary>
    public Tensor RunningMean { get; private set; }

    /// <summary>Running unbiased variance [C].</summary>
    public Tensor RunningVar { get; private set; }

    /// <summary>Number of features (channels) C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Weight m of the new batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <summary>A batch norm over <paramref name="numFeatures"/> channels; initializers for γ and β default to ones and zeros.</summary>
    protected BatchNorm(int numFeatures, double eps, double momentum, bool affine, Initializer? weightInit, Initializer? biasInit, Rng? rng, DType dtype)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{TypeName}: number of features must be > 0, got {numFeatures}.");
        if (!(eps > 0)) throw new ArgumentException($"{TypeName}: eps must be > 0, got {eps}.");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{TypeName}: momentum must be in [0, 1], got {momentum}.");
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

    /// <summary>Whether x has a shape this layer takes (its channel count checked by the caller too).</summary>
    protected abstract bool Fits(Tensor x);

    /// <summary>The shapes this layer takes, for the error message (e.g. "[batch, 3, H, W]").</summary>
    protected abstract string Expected { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        if (!Fits(x) || x.Shape[1] != NumFeatures)
            throw new ShapeException($"{TypeName}({NumFeatures}): expected input {Expected}, got {Shape.Format(x.Shape)}.");
        if (Training) return x.BatchNormTrain(Weight, Bias, Eps, RunningMean, RunningVar, Momentum, out _, out _);
        // Evaluation: y = (x − running_mean)/√(running_var + ε)·γ + β; the statistics are constants, γ and β stay in the graph.
        // [N, C, …] in one fused op; [batch, C] by the broadcasting ops BatchNorm1d has always used (the same bits as before).
        if (x.Rank > 2) return x.BatchNormEval(RunningMean, RunningVar, Weight, Bias, Eps);
        var xhat = x.Sub(RunningMean).Div(RunningVar.Add(Eps).Sqrt());   // [batch, C]
        return Weight is null ? xhat : xhat.Mul(Weight).Add(Bias!);
    }

    /// <summary>
    /// This layer then a ReLU, as one op where it pays: feature maps in training mode (<see cref="Ops.BatchNormTrain(Tensor, Tensor?, Tensor?, double, Tensor?, Tensor?, double, bool, out Tensor, out Tensor)"/>
    /// with relu) and in evaluation (<see cref="Ops.BatchNormEval(Tensor, Tensor, Tensor, Tensor?, Tensor?, double, bool)"/>
    /// with relu), the two layers' own forward passes otherwise. The same numbers either way.
    /// </summary>
    internal Tensor ForwardRelu(Tensor x)
    {
        if (x.Rank < 3) return Forward(x).Relu();
        if (!Fits(x) || x.Shape[1] != NumFeatures)
            throw new ShapeException($"{TypeName}({NumFeatures}): expected input {Expected}, got {Shape.Format(x.Shape)}.");
        if (!Training) return x.BatchNormEval(RunningMean, RunningVar, Weight, Bias, Eps, relu: true);
        return x.BatchNormTrain(Weight, Bias, Eps, RunningMean, RunningVar, Momentum, relu: true, out _, out _);
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

    /// <summary>PyTorch's repr, e.g. <c>BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)</c>.</summary>
    public override string ToString() =>
        $"{TypeName}({NumFeatures}, eps={PythonFloat(Eps)}, momentum={PythonFloat(Momentum)}, affine={(Weight is not null ? "True" : "False")}, track_running_stats=True)";

    private static string PythonFloat(double v) => v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
}
