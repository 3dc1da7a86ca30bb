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

/// <summary>Random search: every parameter drawn independently on its own scale (the notes: random, not a grid).</summary>
public sealed class RandomSampler : ISampler
{
    public string Name => "random";

    public Dictionary<string, object> Sample(SamplingContext context) => context.Space.Sample(context.Rng);
}

/// <summary>
/// Grid search (for comparison): <c>PointsPerParameter</c> evenly spaced points per numeric parameter on its own scale
/// (every choice of a categorical), walked in mixed-radix order by the trial index; wraps around when exhausted.
/// The notes' point: with the same budget, a grid tries only a few values of the one parameter that matters.
/// </summary>
public sealed class GridSampler(int pointsPerParameter = 3) : ISampler
{
    public string Name => "grid";

    public int PointsPerParameter { get; } = pointsPerParameter >= 1 ? pointsPerParameter
        : throw new ArgumentOutOfRangeException(nameof(pointsPerParameter), pointsPerParameter, "A grid needs at least 1 point per parameter.");

    /// <summary>How many distinct points the grid of <paramref name="space"/> has.</summary>
    public long Size(SearchSpace space) => space.Parameters.Aggregate(1L, (n, p) => n * p.Value.GridPoints(PointsPerParameter).Count);

    public Dictionary<string, object> Sample(SamplingContext context)
    {
        long index = context.Index % Size(context.Space);
        var result = new Dictionary<string, object>();
        // The last parameter varies fastest, so the most important (first) one changes slowest, as a nested loop would.
        for (int i = context.Space.Count - 1; i >= 0; i--)
        {
            var (name, d) = context.Space.Parameters[i];
            var points = d.GridPoints(PointsPerParameter);
            result[name] = points[(int)(index % points.Count)];
            index /= points.Count;
        }
        return context.Space.Names.ToDictionary(n => n, n => result[n]);
    }
}
