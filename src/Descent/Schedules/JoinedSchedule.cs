namespace Descent.Schedules;

/// <summary>
/// Several schedules one after another (optax's <c>join_schedules</c>, PyTorch's <c>SequentialLR</c>):
/// schedule i runs from boundary i−1 to boundary i, and sees t − boundary_{i−1}, so each part starts
/// from its own t = 0 — "warm-up for 5 epochs, then cosine over 50" is
/// <c>new JoinedSchedule([new LinearWarmup(5, false), new CosineAnnealing(50)], [5])</c>.
/// </summary>
public sealed class JoinedSchedule : ISchedule
{
    private readonly ISchedule[] _parts;
    private readonly long[] _boundaries; // [parts − 1], increasing

    /// <summary>Joins <paramref name="parts"/> at <paramref name="boundaries"/> (one fewer, strictly increasing, all the same PerStep).</summary>
    public JoinedSchedule(IReadOnlyList<ISchedule> parts, IReadOnlyList<long> boundaries)
    {
        if (parts.Count == 0) throw new ArgumentException("join: got no schedules; expected at least one.");
        if (boundaries.Count != parts.Count - 1)
            throw new ArgumentException($"join: {parts.Count} schedules need {parts.Count - 1} boundaries, got {boundaries.Count}.");
        for (int i = 0; i < boundaries.Count; i++)
            if (boundaries[i] <= (i == 0 ? 0 : boundaries[i - 1]))
                throw new ArgumentException($"join: boundaries must be positive and increasing, got [{string.Join(", ", boundaries)}].");
        if (parts.Any(p => p.PerStep != parts[0].PerStep))
            throw new ArgumentException("join: all schedules must count the same unit (all per step or all per epoch).");
        _parts = parts.ToArray();
        _boundaries = boundaries.ToArray();
    }

    /// <summary>The joined schedules.</summary>
    public IReadOnlyList<ISchedule> Parts => _parts;

    /// <inheritdoc/>
    public bool PerStep => _parts[0].PerStep;

    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        int i = 0;
        while (i < _boundaries.Length && t >= _boundaries[i]) i++;
        return _parts[i].LearningRate(baseRate, i == 0 ? t : t - _boundaries[i - 1]);
    }
}
