using Descent.Nn;
using Descent.Training;

namespace Descent.Diagnostics;

/// <summary>
/// Plugs a <see cref="DiagnosticsCollector"/> into the <see cref="Trainer"/>: observes every
/// <paramref name="every"/>-th step (the first included) up to <paramref name="maxSteps"/> steps, spread over the run,
/// so the report covers early and later training (<c>descent train --diagnose</c>).
/// </summary>
public sealed class DiagnosticsObserver(Sequential model, int every = 50, int maxSteps = 40) : IStepObserver
{
    private int _observed;

    /// <summary>The collector, for <see cref="DiagnosticsCollector.Report"/> at the end.</summary>
    public DiagnosticsCollector Collector { get; } = new(model);

    /// <inheritdoc/>
    public bool Wants(long step) => _observed < maxSteps && step % Math.Max(every, 1) == 0;

    /// <inheritdoc/>
    public Tensor Forward(Tensor x) => Collector.Forward(x);

    /// <inheritdoc/>
    public void AfterBackward() => Collector.BeforeStep();

    /// <inheritdoc/>
    public void AfterStep()
    {
        Collector.AfterStep();
        _observed++;
    }
}
