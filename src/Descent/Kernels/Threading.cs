namespace Descent;

/// <summary>
/// How many threads Descent's kernels may use. Default: the environment variable <c>DESCENT_THREADS</c>
/// if set, else <see cref="Environment.ProcessorCount"/>. Results never depend on it: kernels split work
/// only over independent output tiles, so 1 thread and N threads give bitwise the same numbers.
/// </summary>
public static class Threading
{
    private static int _maxThreads = FromEnvironment(Environment.GetEnvironmentVariable("DESCENT_THREADS"));

    /// <summary>The largest number of threads one kernel call uses (≥ 1), including the calling thread.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, $"MaxThreads must be ≥ 1, got {value}.");
            _maxThreads = value;
        }
    }

    /// <summary>The thread count named by <c>DESCENT_THREADS</c> (empty: the processor count).</summary>
    internal static int FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Environment.ProcessorCount;
        if (int.TryParse(value.Trim(), out int n) && n >= 1) return n;
        // A bad setting must not make every kernel throw from a type initializer: fall back, visibly in MaxThreads.
        return Environment.ProcessorCount;
    }
}
