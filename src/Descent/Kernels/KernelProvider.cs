namespace Descent.Kernels;

/// <summary>
/// Which <see cref="IKernels"/> the ops use: <see cref="FastKernels"/> unless the environment variable
/// <c>DESCENT_KERNELS=reference</c> says otherwise. <see cref="Use"/> overrides it on the current thread
/// (tests run every op under both).
/// </summary>
internal static class KernelProvider
{
    private static readonly IKernels Default = Select(Environment.GetEnvironmentVariable("DESCENT_KERNELS"));

    [ThreadStatic] private static IKernels? _override;

    /// <summary>The kernels in force on this thread.</summary>
    public static IKernels Current => _override ?? Default;

    /// <summary>The kernels named by <paramref name="name"/>: "fast" (or empty) or "reference".</summary>
    public static IKernels Select(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "fast" => FastKernels.Instance,
        "reference" or "ref" => ReferenceKernels.Instance,
        _ => throw new ArgumentException($"DESCENT_KERNELS='{name}' is not known; use 'fast' or 'reference'."),
    };

    /// <summary>Uses <paramref name="kernels"/> on this thread until the scope is disposed.</summary>
    public static Scope Use(IKernels kernels)
    {
        var previous = _override;
        _override = kernels;
        return new Scope(previous);
    }

    /// <summary>Restores the previous kernels when disposed.</summary>
    public readonly struct Scope(IKernels? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _override = previous;
    }
}
