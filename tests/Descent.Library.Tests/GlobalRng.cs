namespace Descent.Library.Tests;

/// <summary>Tests that seed or draw from the process-wide <see cref="Rng"/> source run one at a time (this collection).</summary>
public static class GlobalRng
{
    /// <summary>The name of the collection.</summary>
    public const string Collection = "process-wide rng";
}
