using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>Cache blocking from the reported cache sizes (mc from L2, nc from L3; kc fixed for reproducible bits).</summary>
public class GemmBlockingTests
{
    [Theory]
    [InlineData(512L << 10, 48)]         // Zen 3 (30 % of L2 is 38 rows of kc = 1024: the floor)
    [InlineData(1L << 20, 72)]           // Zen 5
    [InlineData(1280L << 10, 96)]        // Ice Lake server
    [InlineData(0L, 48)]                 // not reported: 512 KiB assumed
    [InlineData(64L << 10, 48)]          // tiny: the floor
    [InlineData(64L << 20, 960)]         // huge: the ceiling
    public void RowsPerBlockFollowL2(long l2, int mc)
    {
        Assert.Equal(mc, GemmBlocking.RowsPerBlock(l2));
        Assert.Equal(0, mc % 24);   // a multiple of every MR (8, 6, 4)
    }

    [Theory]
    [InlineData(32L << 20, 4L << 20)]
    [InlineData(8L << 20, 1L << 20)]
    [InlineData(1L << 20, 512L << 10)]
    [InlineData(0L, 2L << 20)]
    public void PanelFollowsL3(long l3, long bytes) => Assert.Equal(bytes, GemmBlocking.PanelBytesFor(l3));

    [Fact]
    public void ThisMachinesBlocksFitItsCaches()
    {
        var cpu = CpuInfo.Current;
        Assert.Equal(GemmBlocking.RowsPerBlock(cpu.L2Bytes), Gemm.MC);
        Assert.Equal(0, Gemm.NC<float>() % 32);
        Assert.Equal(0, Gemm.NC<double>() % 32);
        Assert.True((long)Gemm.KC * Gemm.NC<float>() * 4 <= GemmBlocking.PanelBytes);
        Assert.Equal(1024, Gemm.KC);   // the k split decides the bits; it must not follow the processor
    }
}
