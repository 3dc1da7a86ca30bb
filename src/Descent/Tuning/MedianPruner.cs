namespace Descent.Tuning;

/// <summary>
/// Median stopping (Golovin et al., 2017, Google Vizier): after <c>Warmup</c> epochs, stop a trial whose best value so
/// far is worse than the median of the other trials' best values at the same epoch, once at least <c>MinTrials</c>
/// others have reached that epoch. A NaN/∞ value is always pruned.
/// </summary>
public sealed class MedianPruner(int warmup = 1, int minTrials = 4) : IPruner
{
    /// <inheritdoc/>
    public string Name => "median";
    /// <summary>Epochs every trial runs before it can be pruned.</summary>
    public int Warmup { get; } = warmup;
    /// <summary>Other trials that must have reached an epoch before the median there is trusted.</summary>
    public int MinTrials { get; } = minTrials;

    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> all, Direction direction)
    {
        if (trial.Epochs.Count == 0) return false;
        var last = trial.Epochs[^1];
        if (!double.IsFinite(last.Value)) return true;
        if (last.Epoch <= Warmup) return false;
        var others = all.Where(t => t.Number != trial.Number && t.State != TrialState.Failed && t.Epochs.Any(m => m.Epoch >= last.Epoch))
            .Select(t => IPruner.BestSoFar(t, last.Epoch, direction)).Where(double.IsFinite).OrderBy(v => v).ToList();
        if (others.Count < MinTrials) return false;
        double median = others.Count % 2 == 1 ? others[others.Count / 2] : 0.5 * (others[others.Count / 2 - 1] + others[others.Count / 2]);
        return IPruner.Better(median, IPruner.BestSoFar(trial, last.Epoch, direction), direction);
    }
}
