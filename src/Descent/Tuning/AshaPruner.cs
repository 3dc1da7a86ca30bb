namespace Descent.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al., 2020): rungs at epochs r·ηᵏ (r = <c>MinEpochs</c>, η =
/// <c>ReductionFactor</c>). A trial reaching a rung continues only if its value there is among the best ⌊n/η⌋ of
/// the n trials that have reached that rung so far (the best one when n &lt; η); otherwise it is pruned.
/// No trial waits for others: decisions use whatever has been recorded, which is what makes it asynchronous.
/// </summary>
public sealed class AshaPruner : IPruner
{
    /// <summary>ASHA with rungs at <paramref name="minEpochs"/>·ηᵏ, η = <paramref name="reductionFactor"/> (≥ 2).</summary>
    public AshaPruner(int minEpochs = 1, int reductionFactor = 3)
    {
        if (minEpochs < 1) throw new ArgumentOutOfRangeException(nameof(minEpochs), minEpochs, "ASHA needs min epochs ≥ 1.");
        if (reductionFactor < 2) throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "ASHA needs a reduction factor η ≥ 2.");
        MinEpochs = minEpochs; ReductionFactor = reductionFactor;
    }

    /// <inheritdoc/>
    public string Name => "asha";
    /// <summary>r: the first rung's epoch.</summary>
    public int MinEpochs { get; }
    /// <summary>η: the fraction 1/η of trials that go on at each rung.</summary>
    public int ReductionFactor { get; }

    /// <summary>Whether <paramref name="epoch"/> is a rung: r·ηᵏ for some k ≥ 0.</summary>
    public bool IsRung(int epoch)
    {
        for (long e = MinEpochs; e <= epoch; e *= ReductionFactor) if (e == epoch) return true;
        return false;
    }

    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> all, Direction direction)
    {
        if (trial.Epochs.Count == 0) return false;
        var last = trial.Epochs[^1];
        if (!double.IsFinite(last.Value)) return true;
        if (!IsRung(last.Epoch)) return false;
        var rung = all.Where(t => t.Number != trial.Number && t.State != TrialState.Failed && t.Epochs.Any(m => m.Epoch == last.Epoch))
            .Select(t => t.Epochs.First(m => m.Epoch == last.Epoch).Value).Where(double.IsFinite).Append(last.Value).ToList();
        var sorted = direction == Direction.Minimize ? rung.OrderBy(v => v).ToList() : rung.OrderByDescending(v => v).ToList();
        int keep = Math.Max(1, sorted.Count / ReductionFactor);
        double threshold = sorted[keep - 1];
        return IPruner.Better(threshold, last.Value, direction);
    }
}
