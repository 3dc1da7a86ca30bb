using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>The FMA peak probe and what it is used for (no timing is asserted, only that the figures are usable).</summary>
public class PeakProbeTests
{
    [Fact]
    public void MeasuredPeakIsPositiveAndFiniteAtTheGemmWidth()
    {
        var peak = PeakProbe.Measured;
        Assert.True(double.IsFinite(peak.OneCore) && peak.OneCore > 0, $"one core: {peak.OneCore}");
        Assert.True(double.IsFinite(peak.AllCores) && peak.AllCores >= peak.OneCore, $"all cores: {peak.AllCores}, one: {peak.OneCore}");
        Assert.InRange(peak.Cores, 1, Environment.ProcessorCount);
        Assert.InRange(peak.Scaling, 1, peak.Cores);
        int expected = GemmMicroKernel.Isa switch { GemmIsa.Vector512 => 512, GemmIsa.Vector256 => 256, GemmIsa.Vector128 => 128, _ => 32 };
        Assert.Equal(expected, peak.Width);
        Assert.Same(peak, PeakProbe.Measured);   // cached for the process
    }

    [Fact]
    public void EveryWidthTheMachineRunsMeasures()
    {
        // The widths up to the widest this processor has (wider ones would fault, so they are not probed).
        for (var isa = GemmIsa.Scalar; isa <= GemmMicroKernel.Detect(); isa++)
        {
            var peak = PeakProbe.Measure(isa);
            Assert.True(double.IsFinite(peak.OneCore) && peak.OneCore > 0, $"{isa}: {peak.OneCore}");
        }
    }

    [Fact]
    public void HandOffIsMeasuredOnce()
    {
        double h = PeakProbe.HandOffSeconds;
        Assert.True(double.IsFinite(h) && h >= 0);
        if (Environment.ProcessorCount > 1) Assert.True(h > 0);
        Assert.Equal(h, PeakProbe.HandOffSeconds);
    }

    [Fact]
    public void SplitThresholdFollowsHandOffAndScaling()
    {
        var twoFullCores = new PeakFlops(100, 200, 2, 256);
        long fast = GemmThreads.FromMeasurements(1e-6, twoFullCores);
        // 2·h·r·s/(s − 1) FLOP = 2 · 1 µs · 75 GFLOP/s · 2 = 300 kFLOP = 150 k multiply-adds.
        Assert.Equal(150_000, fast);
        Assert.True(GemmThreads.FromMeasurements(4e-6, twoFullCores) > fast);                          // dearer hand-off
        Assert.True(GemmThreads.FromMeasurements(1e-6, new PeakFlops(100, 140, 2, 256)) > fast);       // SMT siblings
        Assert.Equal(GemmThreads.Highest, GemmThreads.FromMeasurements(1e-6, new PeakFlops(100, 100, 2, 256)));   // no scaling
        Assert.Equal(GemmThreads.Lowest, GemmThreads.FromMeasurements(0, twoFullCores));
        Assert.Equal(GemmThreads.Highest, GemmThreads.FromMeasurements(1, twoFullCores));
    }

    [Fact]
    public void ThreadCountFollowsTheThreshold()
    {
        using var one = Threading.Limit(1);
        Assert.Equal(1, GemmThreads.For(long.MaxValue / 2));
        using var two = Threading.Limit(2);
        Assert.Equal(1, GemmThreads.For(GemmThreads.Lowest - 1));
        Assert.Equal(2, GemmThreads.For(GemmThreads.Highest));
        _ = PeakProbe.Measured; _ = PeakProbe.HandOffSeconds;   // measured: the threshold no longer waits for start-up to end
        long t = GemmThreads.Threshold;
        Assert.Equal(GemmThreads.FromMeasurements(PeakProbe.HandOffSeconds, PeakProbe.Measured), t);
        Assert.InRange(t, GemmThreads.Lowest, GemmThreads.Highest);
        Assert.Equal(1, GemmThreads.For(t - 1));
        Assert.Equal(2, GemmThreads.For(t));
    }
}
