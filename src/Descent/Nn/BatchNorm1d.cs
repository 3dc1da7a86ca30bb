using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// Batch normalization over the batch axis (Ioffe and Szegedy 2015), <c>torch.nn.BatchNorm1d</c> for x [batch, C] (or
/// [batch, C, L], statistics over batch and L): y = γ·(x − μ)/√(σ² + ε) + β per feature. The rules (training, running
/// statistics, evaluation) are <see cref="BatchNorm"/>'s.
/// </summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
    Initializer? weightInit = null, Initializer? biasInit = null, Rng? rng = null, DType dtype = DType.Float32)
    : BatchNorm(numFeatures, eps, momentum, affine, weightInit, biasInit, rng, dtype)
{
    /// <inheritdoc/>
    protected override bool Fits(Tensor x) => x.Rank is 2 or 3;

    /// <inheritdoc/>
    protected override string Expected => $"[batch, {NumFeatures}] or [batch, {NumFeatures}, length]";
}
