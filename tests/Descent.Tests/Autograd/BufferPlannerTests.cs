namespace Descent.Tests.Autograd;

/// <summary>The greedy-by-size offset planner: buffers alive at the same time never overlap in memory; others may share it.</summary>
public class BufferPlannerTests
{
    private static BufferPlanner.Request R(long length, int first, int last) => new(length, first, last);

    [Fact]
    public void BuffersWithDisjointLifetimesShareMemory()
    {
        var (offsets, length) = BufferPlanner.Plan([R(100, 0, 1), R(100, 2, 3), R(60, 4, 4)]);
        Assert.Equal([0L, 0L, 0L], offsets);
        Assert.Equal(100, length);
    }

    [Fact]
    public void ALifetimeIncludesItsLastComputation()
    {
        // A computation that reads one buffer (its last use) and writes another (its first) holds both.
        var (offsets, length) = BufferPlanner.Plan([R(100, 0, 2), R(100, 2, 3)]);
        Assert.NotEqual(offsets[0], offsets[1]);
        Assert.Equal(100 + 112, length);   // the second starts on the next multiple of 16 elements
    }

    [Fact]
    public void BuffersAliveTogetherNeverOverlapAndStartAligned()
    {
        var rng = new Rng(42);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 1 + (int)(rng.NextDouble() * 40);
            var requests = new List<BufferPlanner.Request>();
            for (int i = 0; i < n; i++)
            {
                int first = (int)(rng.NextDouble() * 30), last = first + (int)(rng.NextDouble() * 10);
                requests.Add(R((long)(rng.NextDouble() * 1000), first, last));
            }
            var (offsets, length) = BufferPlanner.Plan(requests.ToArray());
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(0, offsets[i] % BufferPlanner.Alignment);
                Assert.True(offsets[i] + requests[i].Length <= length, $"trial {trial}: buffer {i} ends past the arena");
                for (int j = i + 1; j < n; j++)
                {
                    if (!requests[i].Overlaps(requests[j]) || requests[i].Length == 0 || requests[j].Length == 0) continue;
                    bool apart = offsets[i] + requests[i].Length <= offsets[j] || offsets[j] + requests[j].Length <= offsets[i];
                    Assert.True(apart, $"trial {trial}: buffers {i} {requests[i]} at {offsets[i]} and {j} {requests[j]} at {offsets[j]} are alive together and overlap");
                }
            }
            Assert.True(length <= requests.Sum(r => (r.Length + 15) / 16 * 16), $"trial {trial}: the arena is longer than the buffers apart");
        }
    }
}
