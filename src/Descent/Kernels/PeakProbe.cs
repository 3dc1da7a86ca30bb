using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>The float32 FMA throughput of this machine at the GEMM's vector width, measured (GFLOP/s; float64 is half).</summary>
/// <param name="OneCore">One thread alone.</param>
/// <param name="AllCores">One thread per core at once (the sum over the cores; SMT siblings or a shared host show here).</param>
/// <param name="Cores">Threads run at once for <paramref name="AllCores"/>.</param>
/// <param name="Width">Vector width in bits (512, 256, 128; 32 for scalar FMAs).</param>
public sealed record PeakFlops(double OneCore, double AllCores, int Cores, int Width)
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
public static class PeakProbe
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
        // Back to back, so the worker that the first round wakes is still spinning for the next. A round whose parts did
        // not all run on different threads (the pool was busy, or a worker late) is not counted.
        for (int round = 0, counted = 0; counted < 5 && round < 20 && cores > 1; round++)
        {
            job.ClearThreads();
            long t0 = Stopwatch.GetTimestamp();
            WorkerPool.Shared.Run(job, cores, cores);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (!job.RanOnDistinctThreads()) continue;
            all = Math.Max(all, cores * flopPerRun / s / 1e9);
            counted++;
        }
        if (all == 0) all = one;   // never measured together: claim no scaling
        return new PeakFlops(one, Math.Max(all, one), cores, isa == GemmIsa.Scalar ? 32 : 8 * 4 * Lanes(isa));
    }

    /// <summary>Iterations that take about 0.3 ms on one core.</summary>
    private static long Calibrate(Job job)
    {
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

        public void ClearThreads() => Array.Clear(_threadOf);

        public bool RanOnDistinctThreads() => _threadOf.Distinct().Count() == _threadOf.Length;

        public void Run(int part)
        {
            if (part < _threadOf.Length) _threadOf[part] = Environment.CurrentManagedThreadId;
            float s = isa switch
            {
                GemmIsa.Vector512 => Loop<Lanes512<float>>(Iterations),
                GemmIsa.Vector256 => Loop<Lanes256<float>>(Iterations),
                GemmIsa.Vector128 => Loop<Lanes128<float>>(Iterations),
                _ => Loop<Lane1<float>>(Iterations),
            };
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
