namespace Descent.Tuning;

/// <summary>
/// Grid search (for comparison): <c>PointsPerParameter</c> evenly spaced points per numeric parameter on its own scale
/// (every choice of a categorical), walked in mixed-radix order by the trial index; wraps around when exhausted.
/// The notes' point: with the same budget, a grid tries only a few values of the one parameter that matters.
/// </summary>
public sealed class GridSampler(int pointsPerParameter = 3) : ISampler
{
    /// <inheritdoc/>
    public string Name => "grid";

    /// <summary>Points per numeric parameter (≥ 1).</summary>
    public int PointsPerParameter { get; } = pointsPerParameter >= 1 ? pointsPerParameter
        : throw new ArgumentOutOfRangeException(nameof(pointsPerParameter), pointsPerParameter, "A grid needs at least 1 point per parameter.");

    /// <summary>How many distinct points the grid of <paramref name="space"/> has.</summary>
    public long Size(SearchSpace space) => space.Parameters.Aggregate(1L, (n, p) => n * p.Value.GridPoints(PointsPerParameter).Count);

    /// <inheritdoc/>
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
