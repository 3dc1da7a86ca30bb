using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>Cache blocking from the reported cache sizes (mc from L2, nc from L3; kc fixed for reproducible bits).</summary>
public class GemmBlockingTests
{
    [Theory]
    [InlineData(512L << 10, 1024, 48)]   // Zen 3 (30 % of L2 is 38 rows of kc = 1024: the floor)
    [InlineData(512L << 10, 256, 144)]   // Zen 3, a 256-deep block: BLIS's zen3 mc
    [InlineData(512L << 10, 128, 288)]   // Zen 3, k = 128 (a weight gradient at batch 128)
    [InlineData(1L << 20, 1024, 72)]     // Zen 5
    [InlineData(1280L << 10, 1024, 96)]  // Ice Lake server
    [InlineData(0L, 1024, 48)]           // not reported: 512 KiB assumed
    [InlineData(64L << 10, 1024, 48)]    // tiny: the floor
    [InlineData(64L << 20, 1024, 960)]   // huge: the ceiling
    [InlineData(512L << 10, 1, 960)]     // k = 1: the ceiling
    public void RowsPerBlockFollowL2AndDepth(long l2, int kc, int mc)
    {
        Assert.Equal(mc, GemmBlocking.RowsPerBlock(l2, kc));
        Assert.Equal(0, mc % 24);   // a multiple of every MR (8, 6, 4)
    }

    [Fact]
    public void ABufferHoldsTheLargestBlockOfAnyDepth()
    {
        long l2 = 512L << 10;
        long largest = GemmBlocking.LargestBlock(l2);
        foreach (int kc in new[] { 1, 7, 64, 128, 255, 256, 300, 777, 1024 })
            Assert.True((long)GemmBlocking.RowsPerBlock(l2, kc) * kc <= largest, $"kc {kc}");
        Assert.True(largest <= (long)(0.3 * l2) / 4 + 48L * GemmBlocking.KC);   // about 30 % of L2, or the 48-row floor
    }

    [Theory]
    [InlineData(32L << 20, 4L << 20)]
    [InlineData(8L << 20, 1L << 20)]
    [InlineData(1L << 20, 512L << 10)]
    [InlineData(0L, 2L << 20)]
    public void PanelFollowsL3(long l3, long bytes) => Assert.Equal(bytes, GemmBlocking.PanelBytesFor(l3));

    [Theory]
    [InlineData(5L << 20)]               // a 640 KiB panel: 160 float columns but 64 double ones
    [InlineData(3L << 20)]
    [InlineData(6L << 20)]
    [InlineData(12L << 20)]
    [InlineData(32L << 20)]
    [InlineData(0L)]
    public void PanelBufferHoldsEitherTypesPanel(long l3)
    {
        long panel = GemmBlocking.PanelBytesFor(l3), buffer = GemmBlocking.PanelBufferBytes(panel);
        foreach (int size in new[] { 4, 8 })
        {
            int columns = GemmBlocking.PanelColumns(panel, size);
            Assert.True(columns >= 32 && columns % 32 == 0, $"{columns} columns");
            Assert.True((long)GemmBlocking.KC * columns * size <= buffer, $"{size}-byte elements: {columns} columns overflow {buffer} bytes");
        }
    }

    [Fact]
    public void ThisMachinesBlocksFitItsCaches()
    {
        var cpu = CpuInfo.Current;
        Assert.Equal(GemmBlocking.RowsPerBlock(cpu.L2Bytes, 256), Gemm.MC(256));
        Assert.Equal(GemmBlocking.LargestBlock(cpu.L2Bytes), GemmBlocking.ABlockElements);
        Assert.Equal(0, Gemm.NC<float>() % 32);
        Assert.Equal(0, Gemm.NC<double>() % 32);
        Assert.True((long)Gemm.KC * Gemm.NC<float>() * 4 <= GemmBlocking.PanelBytes);
        Assert.Equal(1024, Gemm.KC);   // the k split decides the bits; it must not follow the processor
    }
}
