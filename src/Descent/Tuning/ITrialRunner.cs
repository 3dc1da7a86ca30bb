namespace Descent.Tuning;

/// <summary>What the study answers to a per-epoch report.</summary>
public enum TrialDecision
{
    /// <summary>Go on with the next epoch.</summary>
    Continue,
    /// <summary>Stop now: the trial is pruned (or the study is stopping).</summary>
    Prune,
}

/// <summary>
/// The objective of a search: trains one model with the given hyperparameters and reports its validation
/// metric after every epoch through <see cref="TrialContext.Report"/>, stopping early when told to prune.
/// </summary>
/// <remarks>
/// The Fashion-MNIST trainer (<c>descent train</c>) plugs in here: its runner maps <see cref="TrialParameters"/>
/// to train options (names are the train options without dashes), trains for the configured epochs, and after each
/// epoch calls <c>context.Report(epoch, validationLoss)</c>; if that returns <see cref="TrialDecision.Prune"/> or
/// <see cref="TrialContext.Cancellation"/> fires, it stops and returns. It saves its checkpoint to
/// <see cref="TrialContext.CheckpointPath"/> and, when <see cref="TrialContext.ResumeFrom"/> is set, starts from that path
/// at epoch <see cref="TrialContext.StartEpoch"/> (Panda: resume with a changed learning rate).
/// </remarks>
public interface ITrialRunner
{
    /// <summary>The metric <see cref="TrialContext.Report"/> receives (for example <c>val_loss</c>).</summary>
    string Metric { get; }

    /// <summary>Whether a smaller metric is better.</summary>
    Direction Direction { get; }

    /// <summary>Runs one trial; returns the final objective value (usually the last reported value).</summary>
    double Run(TrialContext context);

    /// <summary>
    /// Checks a search space before the study starts, so a parameter the objective does not know, or a range it cannot
    /// train with, is one error up front instead of a failed trial after another. Throws an <see cref="ArgumentException"/>
    /// naming the parameter and the value.
    /// </summary>
    void CheckSpace(SearchSpace space) { }
}

/// <summary>Everything a runner needs for one trial, and the channel back to the study.</summary>
public sealed class TrialContext
{
    private readonly Func<int, double, TrialDecision> _report;

    /// <summary>The context of trial <paramref name="number"/>; <paramref name="report"/> is the channel back to the study.</summary>
    public TrialContext(int number, TrialParameters parameters, ulong seed, int threads, Func<int, double, TrialDecision> report,
        CancellationToken cancellation = default, string? checkpointPath = null, string? resumeFrom = null, int startEpoch = 1)
    {
        Number = number; Parameters = parameters; Seed = seed; Threads = threads; _report = report;
        Cancellation = cancellation; CheckpointPath = checkpointPath; ResumeFrom = resumeFrom; StartEpoch = startEpoch;
    }

    /// <summary>The trial's number within its study.</summary>
    public int Number { get; }
    /// <summary>The hyperparameters to train with.</summary>
    public TrialParameters Parameters { get; }
    /// <summary>The seed of this trial's weights and data order (the study seed mixed with the trial number).</summary>
    public ulong Seed { get; }
    /// <summary>Cores this trial may use (Caviar: the machine's cores divided among the parallel trials).</summary>
    public int Threads { get; }
    /// <summary>Fires when the study stops (the trial should return soon).</summary>
    public CancellationToken Cancellation { get; }
    /// <summary>Where the runner may save its checkpoint (null: don't).</summary>
    public string? CheckpointPath { get; }
    /// <summary>Panda: the checkpoint to continue from (null: start fresh).</summary>
    public string? ResumeFrom { get; }
    /// <summary>The first epoch to run (1, or one past the resumed checkpoint's epoch).</summary>
    public int StartEpoch { get; }

    /// <summary>Records the validation metric of an epoch; returns Prune when the trial should stop (pruned or cancelled).</summary>
    public TrialDecision Report(int epoch, double value)
    {
        var decision = _report(epoch, value);
        return Cancellation.IsCancellationRequested ? TrialDecision.Prune : decision;
    }
}
