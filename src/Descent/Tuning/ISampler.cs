namespace Descent.Tuning;

/// <summary>What a sampler sees: the (possibly narrowed) space, every trial so far, the round and a seeded RNG.</summary>
/// <param name="Space">The space to sample from (narrowed in later coarse-to-fine rounds).</param>
/// <param name="History">Every trial of the study so far.</param>
/// <param name="Direction">Whether smaller or larger values are better.</param>
/// <param name="Round">The coarse-to-fine round (0: the full space).</param>
/// <param name="Rng">The seeded generator to draw with.</param>
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
    /// <summary>The sampler's name as <c>--sampler</c> takes it.</summary>
    string Name { get; }

    /// <summary>The parameters of the next trial, drawn with the context's seeded generator.</summary>
    Dictionary<string, object> Sample(SamplingContext context);
}
