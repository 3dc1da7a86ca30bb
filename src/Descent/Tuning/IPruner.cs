namespace Descent.Tuning;

/// <summary>Decides, after each epoch, whether a trial is clearly worse than the others and should stop.</summary>
public interface IPruner
{
    /// <summary>The pruner's name as <c>--pruner</c> takes it.</summary>
    string Name { get; }

    /// <summary>True when <paramref name="trial"/> should stop now.</summary>
    /// <param name="trial">The trial being decided, with its epochs so far (the newest is the one just reported).</param>
    /// <param name="all">Every trial of the study (including <paramref name="trial"/>).</param>
    /// <param name="direction">Whether smaller or larger values are better.</param>
    bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> all, Direction direction);

    internal static bool Better(double a, double b, Direction d) => d == Direction.Minimize ? a < b : a > b;

    internal static double BestSoFar(TrialRecord t, int epoch, Direction d)
    {
        double best = double.NaN;
        foreach (var m in t.Epochs)
        {
            if (m.Epoch > epoch) break;
            if (double.IsNaN(best) || Better(m.Value, best, d)) best = m.Value;
        }
        return best;
    }
}

/// <summary>Never prunes.</summary>
public sealed class NoPruner : IPruner
{
    /// <inheritdoc/>
    public string Name => "none";
    /// <inheritdoc/>
    public bool ShouldPrune(TrialRecord trial, IReadOnlyList<TrialRecord> all, Direction direction) => false;
}
