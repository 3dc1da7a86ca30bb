using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>The float32 FMA throughput of this machine at the GEMM's vector width, measured (GFLOP/s; float64 is half).</summary>
/// <param name="OneCore">One thread alone.</param>
/// <param name="AllCores">One thread per core at once (the sum over the cores; SMT siblings or a shared host show here).</param>
/// <param name="Cores">Threads run at once for <paramref name="AllCores"/>.</param>
/// <param name="Width">Vector width in bits (512, 256, 128; 32 for scalar FMAs).</param>
internal sealed record PeakFlops(double OneCore, double AllCores, int Cores, int Width)
{
    /// <summary>How many times one core's throughput all cores give together (1 … <see cref="Cores"/>).</summary>
    public double Scaling => Math.Clamp(AllCores / OneCore, 1, Cores);
}

/// <summary>
/// A few milliseconds of independent fused multiply-adds: peak = FLOP / s with 2 FLOP per lane per FMA, at the vector
/// width the GEMM uses (<see cref="GemmMicroKernel.Isa"/>). Twelve accumulator chains keep both FMA pipes of a core
/// busy for any FMA latency up to 6 cycles (Zen 3/4/5: 4; Ice Lake: 4), and the operands stay in registers, so the
/// loop is the processor's FMA limit, the same bound BLIS and OpenBLAS quote. Measured once per process on first use;
/// each figure is the best of a few rounds (other load only lowers a round). The figures never change a result: they
/// only choose thread counts and report "% of peak".
/// </summary>
internal static class PeakProbe
{
    private const int Accumulators = 12;
    private static readonly object Gate = new();
    private static PeakFlops? _measured;
    private static float _sink;

    /// <summary>This machine's peak (measured on the first call, a few milliseconds).</summary>
    public static PeakFlops Measured
    {
        get
        {
            if (_measured is { } m) return m;
            lock (Gate) return _measured ??= Measure(GemmMicroKernel.Isa);
        }
    }

    /// <summary>Whether <see cref="Measured"/> has run in this process.</summary>
    public static bool IsMeasured => Volatile.Read(ref _measured) is not null;

    /// <summary>The worker pool's hand-off, in seconds (<see cref="WorkerPool.HandOffSeconds"/>; measured once).</summary>
    public static double HandOffSeconds => WorkerPool.HandOffSeconds();

    /// <summary>Measures now at the given width (not cached).</summary>
    internal static PeakFlops Measure(GemmIsa isa)
    {
        int cores = Math.Max(1, Math.Min(Environment.ProcessorCount, WorkerPool.Shared.Workers + 1));
        var job = new Job(isa, cores);
        long iterations = Calibrate(job);
        job.Iterations = iterations;
        double flopPerRun = 2.0 * Accumulators * Lanes(isa) * iterations;
        double one = 0, all = 0;
        for (int round = 0; round < 5; round++)
        {
            long t0 = Stopwatch.GetTimestamp();
            job.Run(0);
            one = Math.Max(one, flopPerRun / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9);
        }
        // Every part times its own loop, so the pool's hand-off (a sleeping worker can take longer to wake than the loop
        // runs) is not counted as compute; the rates add up when the parts ran at the same time. A round whose parts did
        // not all run on different threads, or did not overlap for 90 % of each one's time, is not counted.
        // Eight times the one-core loop (≈ 2.4 ms), so that waking a worker is short against it.
        job.Iterations = 8 * iterations;
        for (int round = 0, counted = 0; counted < 5 && round < 20 && cores > 1; round++)
        {
            job.ClearThreads();
            WorkerPool.Shared.Run(job, cores, cores);
            if (!job.RanOnDistinctThreads() || !job.Overlapped(0.9)) continue;
            all = Math.Max(all, job.SummedRate(8 * flopPerRun) / 1e9);
            counted++;
        }
        if (all == 0) all = one;   // never measured together: claim no scaling
        return new PeakFlops(one, Math.Max(all, one), cores, isa == GemmIsa.Scalar ? 32 : 8 * 4 * Lanes(isa));
    }

    /// <summary>Iterations that take about 0.3 ms on one core.</summary>
    private static long Calibrate(Job job)
    {
        // The first call compiles the loop (it is not in the ReadyToRun image): timed, it read as a 0.3 ms loop of
        // 1,024 iterations that really takes 2 µs, too short for the all-cores rounds to overlap.
        job.Iterations = 1;
        job.Run(0);
        long n = 1 << 10;
        while (true)
        {
            job.Iterations = n;
            long t0 = Stopwatch.GetTimestamp();
            job.Run(0);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (s >= 0.3e-3 || n >= 1L << 30) return n;
            n = s < 0.05e-3 ? n * 8 : n * 2;
        }
    }

    private static int Lanes(GemmIsa isa) => isa switch
    {
        GemmIsa.Vector512 => 16,
        GemmIsa.Vector256 => 8,
        GemmIsa.Vector128 => 4,
        _ => 1,
    };

    /// <summary>Every part runs the whole FMA loop (one part per core).</summary>
    private sealed class Job(GemmIsa isa, int parts) : IParallelJob
    {
        public long Iterations;
        private readonly int[] _threadOf = new int[parts];

        private readonly long[] _start = new long[parts], _end = new long[parts];

        public void ClearThreads() => Array.Clear(_threadOf);

        public bool RanOnDistinctThreads() => _threadOf.Distinct().Count() == _threadOf.Length;

        /// <summary>Whether the parts ran at the same time: the common interval covers <paramref name="share"/> of each part's time.</summary>
        public bool Overlapped(double share)
        {
            long common = _end.Min() - _start.Max();
            for (int i = 0; i < _start.Length; i++)
                if (common < share * (_end[i] - _start[i])) return false;
            return true;
        }

        /// <summary>Σ over the parts of FLOP / the part's own time.</summary>
        public double SummedRate(double flopPerPart)
        {
            double sum = 0;
            for (int i = 0; i < _start.Length; i++) sum += flopPerPart * Stopwatch.Frequency / Math.Max(1, _end[i] - _start[i]);
            return sum;
        }

        public void Run(int part)
        {
            if (part < _threadOf.Length) _threadOf[part] = Environment.CurrentManagedThreadId;
            long t0 = Stopwatch.GetTimestamp();
            float s = isa switch
            {
                GemmIsa.Vector512 => Loop<Lanes512<float>>(Iterations),
                GemmIsa.Vector256 => Loop<Lanes256<float>>(Iterations),
                GemmIsa.Vector128 => Loop<Lanes128<float>>(Iterations),
                _ => Loop<Lane1<float>>(Iterations),
            };
            if (part < _start.Length) (_start[part], _end[part]) = (t0, Stopwatch.GetTimestamp());
            Volatile.Write(ref _sink, s);
        }
    }

    /// <summary>acc_i ← x·y + acc_i for 12 independent chains, n times; the sum keeps the loop from being removed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TV>(long n) where TV : struct, ILanes<TV, float>
    {
        TV x = TV.Splat(1e-7f), y = TV.Splat(0.999f);
        TV a0 = TV.Splat(0f), a1 = TV.Splat(1f), a2 = TV.Splat(2f), a3 = TV.Splat(3f), a4 = TV.Splat(4f), a5 = TV.Splat(5f);
        TV a6 = TV.Splat(6f), a7 = TV.Splat(7f), a8 = TV.Splat(8f), a9 = TV.Splat(9f), a10 = TV.Splat(10f), a11 = TV.Splat(11f);
        for (long i = 0; i < n; i++)
        {
            a0 = TV.MultiplyAdd(x, y, a0); a1 = TV.MultiplyAdd(x, y, a1); a2 = TV.MultiplyAdd(x, y, a2);
            a3 = TV.MultiplyAdd(x, y, a3); a4 = TV.MultiplyAdd(x, y, a4); a5 = TV.MultiplyAdd(x, y, a5);
            a6 = TV.MultiplyAdd(x, y, a6); a7 = TV.MultiplyAdd(x, y, a7); a8 = TV.MultiplyAdd(x, y, a8);
            a9 = TV.MultiplyAdd(x, y, a9); a10 = TV.MultiplyAdd(x, y, a10); a11 = TV.MultiplyAdd(x, y, a11);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).Sum();
    }
}
