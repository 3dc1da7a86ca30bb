namespace Descent;

/// <summary>
/// Places buffers with known lifetimes in one arena so that buffers alive at the same time never overlap: the
/// "greedy by size" offset planner of TensorFlow Lite's arena planner (Pisarchyk and Lee, "Efficient Memory Management
/// for Deep Neural Net Inference", 2020) applied to a recorded tape.
/// </summary>
/// <remarks>
/// <para>A buffer lives from the first to the last computation that touches it (inclusive: a computation that reads one
/// buffer and writes another holds both). Two buffers may share memory only when their lifetimes are disjoint.</para>
/// <para>The largest buffers are placed first; each goes at the lowest offset where it overlaps, in memory, no buffer
/// already placed whose lifetime overlaps its own. Offsets are multiples of <see cref="Alignment"/> elements, so each
/// buffer starts on a cache line of the arena as it did on its own array.</para>
/// </remarks>
internal static class BufferPlanner
{
    /// <summary>Elements between buffer starts: 16 floats, one 64-byte cache line (8 doubles would do; 16 serves both).</summary>
    public const int Alignment = 16;

    /// <summary>One buffer to place: its length in elements and the first and last computation that touch it.</summary>
    public readonly record struct Request(long Length, int First, int Last)
    {
        /// <summary>True when both are alive during some computation.</summary>
        public bool Overlaps(Request other) => First <= other.Last && other.First <= Last;
    }

    /// <summary>The offset of each request (in elements) and the arena length they need.</summary>
    public static (long[] Offsets, long Length) Plan(IReadOnlyList<Request> requests)
    {
        var offsets = new long[requests.Count];
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Length).ThenBy(i => requests[i].First).ThenBy(i => i).ToArray();
        var placed = new List<int>(requests.Count);
        var busy = new List<(long Start, long End)>();    // memory of the placed buffers alive with the current one
        long length = 0;
        foreach (int i in order)
        {
            var r = requests[i];
            busy.Clear();
            foreach (int j in placed)
                if (requests[j].Overlaps(r)) busy.Add((offsets[j], offsets[j] + requests[j].Length));
            busy.Sort((a, b) => a.Start.CompareTo(b.Start));
            long at = 0;
            foreach (var (start, end) in busy)
            {
                if (at + r.Length <= start) break;          // the gap before this busy range fits
                at = Math.Max(at, Align(end));
            }
            offsets[i] = at;
            length = Math.Max(length, at + r.Length);
            placed.Add(i);
        }
        return (offsets, length);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;
}
