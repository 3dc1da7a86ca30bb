namespace Descent.Kernels;

/// <summary>
/// How many threads Descent's kernels may use. Default: the environment variable <c>DESCENT_THREADS</c>
/// if set, else <see cref="Environment.ProcessorCount"/>. Results never depend on it: kernels split work
/// only over independent output tiles, so 1 thread and N threads give bitwise the same numbers.
/// </summary>
public static class Threading
{
    private static int _maxThreads = FromEnvironment(Environment.GetEnvironmentVariable("DESCENT_THREADS"));
    [ThreadStatic] private static int _limit;   // this thread's own setting (0: none), see Limit

    /// <summary>
    /// The largest number of threads one kernel call made on this thread uses (≥ 1), including the calling thread:
    /// this thread's <see cref="Limit"/> while one is in force, else the process-wide setting (which assigning sets).
    /// </summary>
    public static int MaxThreads
    {
        get => _limit > 0 ? _limit : _maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, $"MaxThreads must be ≥ 1, got {value}.");
            _maxThreads = value;
        }
    }

    /// <summary>
    /// Sets the thread count for kernel calls made on this thread until the returned scope is disposed (0: the process
    /// default): how a training job applies its own setting without changing the process's.
    /// </summary>
    public static LimitScope Limit(int threads)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, $"a thread limit must be ≥ 0 (0: the process default), got {threads}.");
        var scope = new LimitScope(_limit);
        _limit = threads;
        return scope;
    }

    /// <summary>Ends a <see cref="Limit"/>, restoring the setting before it.</summary>
    public readonly struct LimitScope(int previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _limit = previous;
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
