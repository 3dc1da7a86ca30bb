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

    /// <summary>
    /// The planner against the greedy-by-size rule written plainly (largest first, ties by first use then index; each at the
    /// lowest aligned offset clear of the placed buffers alive with it): the same offsets, bit for bit, on random requests
    /// with many equal lengths and lifetimes.
    /// </summary>
    [Fact]
    public void OffsetsAreThoseOfTheGreedyBySizeRule()
    {
        var rng = new Rng(7);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 1 + (int)(rng.NextDouble() * 50);
            var requests = new BufferPlanner.Request[n];
            for (int i = 0; i < n; i++)
            {
                int first = (int)(rng.NextDouble() * 20), last = first + (int)(rng.NextDouble() * 6);
                requests[i] = R(16 * (long)(rng.NextDouble() * 8) + (long)(rng.NextDouble() * 3), first, last);
            }
            var (offsets, length) = BufferPlanner.Plan(requests);
            var (expected, expectedLength) = Greedy(requests);
            Assert.Equal(expected, offsets);
            Assert.Equal(expectedLength, length);
        }
    }

    private static (long[] Offsets, long Length) Greedy(BufferPlanner.Request[] r)
    {
        var offsets = new long[r.Length];
        var order = Enumerable.Range(0, r.Length).OrderByDescending(i => r[i].Length).ThenBy(i => r[i].First).ThenBy(i => i).ToList();
        long length = 0;
        for (int o = 0; o < order.Count; o++)
        {
            int i = order[o];
            var busy = order.Take(o).Where(j => r[j].Overlaps(r[i])).Select(j => (Start: offsets[j], End: offsets[j] + r[j].Length)).OrderBy(b => b.Start).ToList();
            long at = 0;
            foreach (var (start, end) in busy)
            {
                if (at + r[i].Length <= start) break;
                at = Math.Max(at, (end + 15) / 16 * 16);
            }
            offsets[i] = at;
            length = Math.Max(length, at + r[i].Length);
        }
        return (offsets, length);
    }
}
