namespace Descent.Training;

/// <summary>
/// Combines the gradients of the ranks of a data-parallel run (e.g. <see cref="Distributed.DataParallel"/> over MPI):
/// <see cref="Trainer"/> calls it once per step, after backward and before clipping and the optimizer step, so every rank
/// updates its copy of the weights with the same global gradient.
/// </summary>
public interface IGradientReducer
{
    /// <summary>
    /// Replaces each parameter's gradient g_r (of this rank's shard) by the global gradient Σ_r share_r·g_r, and returns
    /// the global loss Σ_r share_r·loss_r and the correct predictions of all shards. Every rank calls it at every step.
    /// </summary>
    /// <param name="parameters">The model's parameters, their gradients set by this rank's backward.</param>
    /// <param name="share">This rank's weight: its rows / the global batch's rows for a mean loss, 1 for a sum.</param>
    /// <param name="loss">This rank's loss on its shard.</param>
    /// <param name="correct">This rank's correct predictions on its shard.</param>
    (double Loss, int Correct) Reduce(IReadOnlyList<Tensor> parameters, double share, double loss, int correct);
}
