using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// Batch normalization of feature maps, <c>torch.nn.BatchNorm2d</c>: x [N, C, H, W], statistics per channel over its
/// N·H·W values, y = γ·(x − μ)/√(σ² + ε) + β (the running variance uses M = N·H·W: σ²·M/(M − 1)). The rules
/// (training, running statistics, evaluation) are <see cref="BatchNorm"/>'s.
/// </summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
    Initializer? weightInit = null, Initializer? biasInit = null, Rng? rng = null, DType dtype = DType.Float32)
    : BatchNorm(numFeatures, eps, momentum, affine, weightInit, biasInit, rng, dtype)
{
    /// <inheritdoc/>
    protected override bool Fits(Tensor x) => x.Rank == 4;

    /// <inheritdoc/>
    protected override string Expected => $"[N, {NumFeatures}, H, W]";
}
