using System.Diagnostics;

namespace Descent.Kernels;

/// <summary>One parallel piece of work, split into numbered parts that may run in any order on any thread.</summary>
internal interface IParallelJob
{
    /// <summary>Runs part <paramref name="part"/> (0 ≤ part &lt; the count given to <see cref="WorkerPool.Run"/>).</summary>
    void Run(int part);
}

/// <summary>
/// A persistent pool of worker threads for kernels: a call costs a few hundred nanoseconds and allocates
/// nothing (no Task, no closure). The calling thread runs parts too. Workers spin briefly after a job
/// (kernels come in bursts), then sleep on a monitor. One job at a time: a second caller that finds the
/// pool busy runs its parts itself, which gives the same results (parts own disjoint outputs).
/// </summary>
internal sealed class WorkerPool
{
    /// <summary>The process-wide pool, with one worker per extra core started up front (so no call ever pays for
    /// creating a thread, and a steady-state step never allocates one).</summary>
    public static readonly WorkerPool Shared = new(Environment.ProcessorCount - 1);

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs of spinning before sleeping

    private readonly object _gate = new(), _callerGate = new();
    private readonly List<Thread> _threads = [];
    private IParallelJob? _job;
    private int _parts, _pending, _sleepers;
    private long _claim;            // (generation << 32) | next unclaimed part
    private Exception? _error;

    private WorkerPool(int workers) => EnsureWorkers(workers);

    /// <summary>Worker threads started so far (the caller is one more).</summary>
    public int Workers => _threads.Count;

    /// <summary>Whether this thread is running a part of a job (a job started from inside a part runs on this thread alone).</summary>
    [ThreadStatic] private static bool _inPart;

    /// <summary>Whether the calling thread is running a part of a job (a job it starts runs on it alone).</summary>
    public static bool InPart => _inPart;

    /// <summary>Runs parts 0..parts−1 of <paramref name="job"/> on up to <paramref name="threads"/> threads (the caller included) and returns when all are done.</summary>
    /// <remarks>
    /// Called from inside a part (a kernel within a parallel job), it runs every part on the calling thread: the pool
    /// runs one job at a time, and the caller's monitor would let the same thread start a second one over the first.
    /// </remarks>
    public void Run(IParallelJob job, int parts, int threads)
    {
        if (parts <= 0) return;
        if (parts == 1 || threads <= 1 || _inPart || !Monitor.TryEnter(_callerGate))
        {
            for (int p = 0; p < parts; p++) job.Run(p);
            return;
        }
        try
        {
            EnsureWorkers(Math.Min(threads, parts) - 1);
            // Retire the last job's claim word before writing this job's fields. Otherwise a worker still inside the
            // last Work — holding the exhausted word (old generation, old part count) — could read this job's larger
            // part count, claim with its old word, run a part the caller runs too, and leave _pending at −1 (a hang).
            long generation = (Volatile.Read(ref _claim) >> 32) + 1;
            Interlocked.Exchange(ref _claim, ((generation - 1) << 32) | int.MaxValue);
            _job = job; _parts = parts; _pending = parts; _error = null;
            Interlocked.Exchange(ref _claim, generation << 32);
            if (Volatile.Read(ref _sleepers) > 0) lock (_gate) Monitor.PulseAll(_gate);
            Work(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_error is { } e) throw new AggregateException("A kernel part failed on a worker thread.", e);
        }
        finally { Monitor.Exit(_callerGate); }
    }

    /// <summary>
    /// The cost of handing work to the other threads and waiting for them, in seconds, measured once per process: the
    /// median over 31 calls of a job whose parts (one a thread) only wait until every part has started, so each call
    /// is a full wake-claim-finish round trip with the workers awake (as in a burst of kernels). 0 on one core.
    /// </summary>
    public static double HandOffSeconds()
    {
        if (_handOff is { } known) return known;
        int threads = Math.Min(Environment.ProcessorCount, Shared.Workers + 1);
        if (threads <= 1) return (_handOff = 0).Value;
        var job = new RendezvousJob(threads);
        var times = new double[31];
        for (int i = -4; i < times.Length; i++)
        {
            job.Reset();
            long t0 = Stopwatch.GetTimestamp();
            Shared.Run(job, threads, threads);
            if (i >= 0) times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return (_handOff = times[times.Length / 2]).Value;
    }

    private static double? _handOff;

    /// <summary>Whether <see cref="HandOffSeconds"/> has run in this process.</summary>
    public static bool HandOffMeasured => _handOff.HasValue;

    /// <summary>
    /// Parts that wait (up to 0.2 ms) until all have started: a part claimed by a thread that already ran one does not
    /// deadlock, and a machine too busy to run the workers at once costs at most a few milliseconds to measure (its
    /// hand-off then reads as ≈ 0.2 ms, which keeps mid-sized products on one thread).
    /// </summary>
    private sealed class RendezvousJob(int parts) : IParallelJob
    {
        private int _started;
        public void Reset() => _started = 0;

        public void Run(int part)
        {
            Interlocked.Increment(ref _started);
            long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5000;
            while (Volatile.Read(ref _started) < parts && Stopwatch.GetTimestamp() < deadline) Thread.SpinWait(4);
        }
    }

    /// <summary>Claims and runs parts of the job of <paramref name="generation"/> until none are left.</summary>
    private void Work(long generation)
    {
        while (true)
        {
            long s = Volatile.Read(ref _claim);
            if (s >> 32 != generation) return;
            int part = (int)(s & 0xFFFFFFFF);
            var job = _job; int parts = _parts;
            if (part >= parts || job is null) return;
            if (Interlocked.CompareExchange(ref _claim, s + 1, s) != s) continue;
            _inPart = true;
            try { job.Run(part); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            finally { _inPart = false; Interlocked.Decrement(ref _pending); }
        }
    }

    /// <summary>Starts workers up to <paramref name="count"/>, but never more than one per extra core: more threads than
    /// cores only take turns, and the pool's workers all exist from the start, so no call allocates a thread.</summary>
    private void EnsureWorkers(int count)
    {
        count = Math.Min(count, Math.Max(Environment.ProcessorCount - 1, 0));
        while (_threads.Count < count)
        {
            var t = new Thread(WorkerLoop) { IsBackground = true, Name = $"Descent worker {_threads.Count + 1}" };
            _threads.Add(t);
            t.Start();
        }
    }

    private void WorkerLoop()
    {
        long seen = Volatile.Read(ref _claim) >> 32;
        while (true)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            long generation;
            while ((generation = Volatile.Read(ref _claim) >> 32) == seen && Stopwatch.GetTimestamp() < deadline) Thread.SpinWait(20);
            if (generation == seen)
            {
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while ((generation = Volatile.Read(ref _claim) >> 32) == seen) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            seen = generation;
            Work(generation);
        }
    }
}
