namespace Descent.Training;

/// <summary>
/// Watches chosen training steps from inside (e.g. per-layer diagnostics): on a step it wants, the trainer runs the
/// forward pass through <see cref="Forward"/> on the autograd graph and calls back after backward and after the update.
/// </summary>
public interface IStepObserver
{
    /// <summary>Whether to observe global step <paramref name="step"/>.</summary>
    bool Wants(long step);

    /// <summary>The model's forward pass, recorded as the observer needs (returns the logits).</summary>
    Tensor Forward(Tensor x);

    /// <summary>After <c>loss.Backward()</c>, before clipping and the optimizer step.</summary>
    void AfterBackward();

    /// <summary>After the optimizer step.</summary>
    void AfterStep();
}
