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
    /// <remarks>
    /// Arrays and plain loops rather than LINQ and lists of tuples: this runs once per captured step, on the way to the
    /// first one, and generic framework code over value types is compiled there at run time (bench mlp's warm-up: see
    /// docs/benchmarks.md, session 8).
    /// </remarks>
    public static (long[] Offsets, long Length) Plan(Request[] all)
    {
        int n = all.Length;
        var offsets = new long[n];
        // Largest first; ties by first use, then by index: a total order, so the plan does not depend on the sort.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            int c = all[y].Length.CompareTo(all[x].Length);
            if (c == 0) c = all[x].First.CompareTo(all[y].First);
            return c != 0 ? c : x.CompareTo(y);
        });
        var placed = new int[n];
        var starts = new long[n];   // memory of the placed buffers alive with the current one
        var ends = new long[n];
        var byStart = new int[n];
        Comparison<int> startOrder = (x, y) => starts[x].CompareTo(starts[y]);
        long length = 0;
        for (int o = 0; o < n; o++)
        {
            int i = order[o];
            var r = all[i];
            int busy = 0;
            for (int q = 0; q < o; q++)
            {
                int j = placed[q];
                if (!all[j].Overlaps(r)) continue;
                (starts[busy], ends[busy]) = (offsets[j], offsets[j] + all[j].Length);
                busy++;
            }
            // By start (ranges that start together are all passed before the gap test can succeed again, in any order).
            for (int b = 0; b < busy; b++) byStart[b] = b;
            byStart.AsSpan(0, busy).Sort(startOrder);
            long offset = 0;
            for (int b = 0; b < busy; b++)
            {
                int k = byStart[b];
                if (offset + r.Length <= starts[k]) break;          // the gap before this busy range fits
                offset = Math.Max(offset, Align(ends[k]));
            }
            offsets[i] = offset;
            length = Math.Max(length, offset + r.Length);
            placed[o] = i;
        }
        return (offsets, length);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;
}
