using System.Diagnostics;

namespace Descent.Kernels;

/// <summary>
/// How many threads a GEMM runs on: one below a size at which a second thread starts to pay, measured on this machine.
/// </summary>
/// <remarks>
/// A split over the cores saves W·(1 − 1/s)/r seconds of a product of W FLOP, where r is one core's GEMM rate and s the
/// cores' speed-up over one core on pure FMA work (<see cref="PeakFlops.Scaling"/>: 2 on two full cores, less on SMT
/// siblings or a busy host); it costs the worker pool's hand-off h (<see cref="WorkerPool.HandOffSeconds"/>) and some
/// packing done twice. The split is taken when the saving is at least twice the hand-off:
/// W ≥ 2·h·r·s/(s − 1), with r = ¾ of the measured one-core peak (small products run below peak). The threshold is
/// computed once, at the first product whose size is in doubt (a few milliseconds of probing) once start-up is over
/// (a second after the first product; <see cref="Default"/> until then), and held within [2¹⁴, 2²⁴] multiply-adds. It only picks a thread count, which never changes a result.
/// </remarks>
internal static class GemmThreads
{
    /// <summary>Bounds of the threshold in multiply-adds (below: never split; at or above: always).</summary>
    internal const long Lowest = 1L << 14, Highest = 1L << 24;

    /// <summary>Used until the threshold is measured, and where it cannot be (inside a parallel part).</summary>
    internal const long Default = 1L << 18;

    private static long _measured;
    private static readonly long FirstUse = Stopwatch.GetTimestamp();

    /// <summary>Seconds after the first product before the threshold may be measured (see <see cref="Threshold"/>).</summary>
    private const double SettleSeconds = 1;

    /// <summary>The threshold in multiply-adds (m·n·k), measuring it on first need.</summary>
    public static long Threshold
    {
        get
        {
            long t = Volatile.Read(ref _measured);
            if (t > 0) return t;
            if (WorkerPool.InPart) return Default;   // the pool would run the probe's parts serially here
            // Start-up loads data and compiles on both cores at once: a probe then would measure that, not the machine.
            // So the default holds for a second after the first product, unless something measured already (bench gemm).
            bool measured = PeakProbe.IsMeasured && WorkerPool.HandOffMeasured;
            if (!measured && Stopwatch.GetElapsedTime(FirstUse).TotalSeconds < SettleSeconds) return Default;
            t = FromMeasurements(WorkerPool.HandOffSeconds(), PeakProbe.Measured);
            Volatile.Write(ref _measured, t);
            return t;
        }
    }

    /// <summary>Threads for a product of <paramref name="multiplyAdds"/> (m·n·k); <paramref name="scale"/> divides the threshold (a path with less work a tile).</summary>
    internal static int For(long multiplyAdds, int scale = 1)
    {
        int max = Math.Max(1, Threading.MaxThreads);
        if (max == 1 || multiplyAdds < Lowest / scale) return 1;
        if (multiplyAdds >= Highest / scale) return max;
        return multiplyAdds < Threshold / scale ? 1 : max;
    }

    /// <summary>2·h·r·s/(s − 1) FLOP as multiply-adds, clamped to [<see cref="Lowest"/>, <see cref="Highest"/>].</summary>
    internal static long FromMeasurements(double handOffSeconds, PeakFlops peak)
    {
        double s = peak.Scaling;
        if (s <= 1.05 || !(peak.OneCore > 0)) return Highest;   // the cores do not add up: one thread
        double flop = 2 * Math.Max(handOffSeconds, 0) * 0.75 * peak.OneCore * 1e9 * s / (s - 1);
        return Math.Clamp((long)(flop / 2), Lowest, Highest);
    }
}
