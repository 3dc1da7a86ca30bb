namespace Descent.Storage;

/// <summary>Where a run stands. A run is <see cref="Running"/> from creation until it is finished.</summary>
public enum RunStatus
{
    Running,
    /// <summary>Trained all its epochs (or stopped early by design).</summary>
    Finished,
    /// <summary>Stopped by an error.</summary>
    Failed,
    /// <summary>Stopped because the loss became NaN or infinite.</summary>
    Diverged,
    /// <summary>
    /// Recorded as running, but the process that ran it on this machine is gone (killed, or the machine stopped) without
    /// recording an end. Never stored: it is how a <see cref="Running"/> run reads once its process has died.
    /// <c>descent train --resume</c> continues it from its last checkpoint.
    /// </summary>
    Interrupted,
}

/// <summary>The metrics of one epoch of a run (e.g. train_loss, val_loss, val_accuracy, lr, seconds).</summary>
public sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, double> Metrics, DateTimeOffset RecordedAt);

/// <summary>A run as listed: identity, status, progress and the last epoch's metrics.</summary>
public sealed record RunSummary(
    long Id, string? Name, RunStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    int Epochs, string? CheckpointPath, IReadOnlyDictionary<string, double>? LastMetrics);

/// <summary>A run in full: configuration and results as JSON text, and every epoch's metrics.</summary>
public sealed record RunRecord(
    long Id, string? Name, RunStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    string ConfigJson, string? ResultsJson, string? CheckpointPath, string? Message, IReadOnlyList<EpochRecord> Epochs);
