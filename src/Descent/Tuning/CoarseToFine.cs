namespace Descent.Tuning;

/// <summary>
/// Coarse to fine (the notes: 由粗到精): after a round, shrink every range to the region the best trials occupy
/// (on the parameter's own scale), widened by a margin, and sample the next round there. Categoricals keep only the
/// choices the best trials used.
/// </summary>
public static class CoarseToFine
{
    /// <summary>
    /// The space narrowed around the best <paramref name="topFraction"/> of the complete trials (at least
    /// <paramref name="minTop"/>): on each numeric unit coordinate, [min − pad, max + pad] of the top trials, where
    /// pad = <paramref name="margin"/>·(max − min) + 0.02, clipped to the current range.
    /// </summary>
    public static SearchSpace Narrow(SearchSpace space, IEnumerable<TrialRecord> trials, Direction direction, double topFraction = 0.25, int minTop = 3, double margin = 0.25)
    {
        var ranked = SamplingContext.Rank(trials, direction);
        if (ranked.Count == 0) return space;
        int k = Math.Min(ranked.Count, Math.Max(minTop, (int)Math.Ceiling(topFraction * ranked.Count)));
        var top = ranked.Take(k).ToList();
        var narrowed = new SearchSpace();
        foreach (var (name, d) in space.Parameters)
        {
            var values = top.Where(t => t.Params.ContainsKey(name)).Select(t => t.Params[name]).ToList();
            if (values.Count == 0) { narrowed.Add(name, d); continue; }
            if (d is CategoricalDistribution c) { narrowed.Add(name, c.Keep(values)); continue; }
            var u = values.Select(d.ToUnit).ToList();
            double lo = u.Min(), hi = u.Max(), pad = margin * (hi - lo) + 0.02;
            lo = Math.Max(0, lo - pad); hi = Math.Min(1, hi + pad);
            narrowed.Add(name, d.Narrow(lo, hi));
        }
        return narrowed;
    }

    /// <summary>
    /// The space of round <paramref name="round"/>: the full space narrowed once per earlier round, each time
    /// around the best complete trials sampled before that round.
    /// </summary>
    public static SearchSpace SpaceForRound(SearchSpace full, IReadOnlyList<TrialRecord> trials, Direction direction, int round, double topFraction = 0.25)
    {
        var space = full;
        for (int r = 1; r <= round; r++)
            space = Narrow(space, trials.Where(t => t.Round < r), direction, topFraction);
        return space;
    }

    /// <summary>The round of the <paramref name="index"/>-th fresh trial when <paramref name="total"/> trials are split into <paramref name="rounds"/> equal rounds.</summary>
    public static int RoundOf(int index, int total, int rounds) =>
        rounds <= 1 || total <= 0 ? 0 : Math.Min(rounds - 1, (int)((long)index * rounds / total));
}
