namespace Descent.Optim;

/// <summary>
/// What the training loop needs of an optimizer (PyTorch's <c>torch.optim.Optimizer</c> surface):
/// apply one update from the parameters' gradients, clear them, expose the learning rate that a
/// schedule sets, and save/restore its state so a resumed run continues bitwise the same.
/// </summary>
public interface IOptimizer
{
    /// <summary>Updates every parameter from its current gradient (parameters without a gradient are skipped).</summary>
    void Step();

    /// <summary>Clears the gradients of every parameter (sets them to null).</summary>
    void ZeroGrad();

    /// <summary>The base learning rate; a schedule sets it before each step (parameter groups scale from it as documented by the optimizer).</summary>
    double LearningRate { get; set; }

    /// <summary>Number of steps taken (Adam's t).</summary>
    long StepCount { get; }

    /// <summary>The optimizer's state (moment buffers, step counts) as named tensors, for checkpoints.</summary>
    IReadOnlyDictionary<string, Tensor> StateDict();

    /// <summary>Restores a state saved by <see cref="StateDict"/>; a missing or mis-shaped entry is an error that names it.</summary>
    void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);
}
