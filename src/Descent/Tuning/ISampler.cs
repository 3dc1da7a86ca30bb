namespace Descent.Tuning;

/// <summary>What a sampler sees: the (possibly narrowed) space, every trial so far, the round and a seeded RNG.</summary>
/// <param name="Index">This trial's index among the fresh samples of its round (the grid walks by it).</param>
public sealed record SamplingContext(SearchSpace Space, IReadOnlyList<TrialRecord> History, Direction Direction, int Round, int Index, Rng Rng)
{
    /// <summary>Finished trials with a value, best first.</summary>
    public IReadOnlyList<TrialRecord> Ranked() => Rank(History, Direction);

    /// <summary>Complete trials with a finite value, best first (ties by trial number).</summary>
    public static IReadOnlyList<TrialRecord> Rank(IEnumerable<TrialRecord> trials, Direction direction)
    {
        var done = trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v));
        return (direction == Direction.Minimize ? done.OrderBy(t => t.Value) : done.OrderByDescending(t => t.Value)).ThenBy(t => t.Number).ToList();
    }
}

/// <summary>Proposes the parameters of the next trial.</summary>
public interface ISampler
{
    string Name { get; }

    Dictionary<string, object> Sample(SamplingContext context);
}
