namespace Descent.Library.Tests;

/// <summary>Tests that touch process-wide state — seed or draw from the process-wide <see cref="Rng"/> source, or change the
/// current directory — run one at a time (this collection).</summary>
public static class GlobalRng
{
    /// <summary>The name of the collection.</summary>
    public const string Collection = "process-wide state";
}
