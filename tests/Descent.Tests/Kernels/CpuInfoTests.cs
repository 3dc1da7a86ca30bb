using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>What the processor reports: name, family and model, cache sizes.</summary>
public class CpuInfoTests
{
    [Fact]
    public void CurrentProcessorHasANameAndItsCaches()
    {
        var cpu = CpuInfo.Current;
        Assert.False(string.IsNullOrWhiteSpace(cpu.ModelName));
        Assert.True(cpu.L1DataBytes >= 0 && cpu.L2Bytes >= 0 && cpu.L3Bytes >= 0);
        if (Directory.Exists("/sys/devices/system/cpu/cpu0/cache/index0"))
        {
            Assert.Equal("sysfs", cpu.CacheSource);
            Assert.True(cpu.L1DataBytes > 0, "sysfs lists caches, so L1d must be known");
        }
        Assert.StartsWith(cpu.ModelName, cpu.Describe());
        Assert.Contains("L1d ", cpu.DescribeCaches());
    }

    [Theory]
    [InlineData("32K", 32L << 10)]
    [InlineData("1M", 1L << 20)]
    [InlineData("32768K", 32L << 20)]
    [InlineData("512", 512L)]
    [InlineData("", 0L)]
    [InlineData("lots", 0L)]
    public void SysfsSizesParse(string text, long bytes) => Assert.Equal(bytes, CpuInfo.ParseSize(text));

    [Fact]
    public void CachesPrintInKibOrMib()
    {
        var cpu = new CpuInfo("X", 0, 0, 48 << 10, 2 << 20, 0, "sysfs");
        Assert.Equal("L1d 48 KiB, L2 2 MiB, L3 ?", cpu.DescribeCaches());
        Assert.Equal("X", cpu.Describe());
        Assert.Equal("X (family 25, model 1)", (cpu with { Family = 25, Model = 1 }).Describe());
    }
}
