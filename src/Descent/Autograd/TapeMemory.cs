using System.Globalization;
using System.Text;

namespace Descent;

/// <summary>
/// Where a recorded tape's memory goes, in bytes: the buffers it allocated by what keeps them, and the arena its planned
/// buffers need (<see cref="Tape.Plan"/>).
/// </summary>
/// <param name="Planned">Buffers moved to the arena (their own sizes, summed).</param>
/// <param name="Arena">The arena length they need once buffers with disjoint lifetimes share memory.</param>
/// <param name="Constants">Buffers filled while recording, outside the computations (kept).</param>
/// <param name="Gradients">Buffers that became a tensor's gradient (kept).</param>
/// <param name="Outputs">The step's outputs (kept).</param>
/// <param name="Kept">Buffers kept on request (<see cref="Tape.Keep"/>).</param>
/// <param name="Untouched">Buffers allocated while recording that no computation touched (left alone).</param>
/// <param name="ByKind">Planned bytes by the computation that first touched them (e.g. "conv2d", "batch_norm backward").</param>
internal sealed record TapeMemory(long Planned, long Arena, long Constants, long Gradients, long Outputs, long Kept, long Untouched,
    IReadOnlyList<(string Kind, long Bytes, int Buffers)> ByKind)
{
    /// <summary>What the summary needs of one buffer of a planned tape (<see cref="TapeBuffers.Buffer"/>): its size in bytes,
    /// what keeps it, and the first computation that touched it (−1: none). No tensor: the summary holds no memory alive.</summary>
    internal readonly record struct BufferSize(long Bytes, TapeBuffers.Keeping Keeping, int First);

    /// <summary>Sums the buffers of a tape by what keeps them; <paramref name="names"/> are the tape's computation names.</summary>
    public static TapeMemory Of(IReadOnlyList<BufferSize> buffers, IReadOnlyList<string?> names, long arena)
    {
        static long Bytes(BufferSize b) => b.Bytes;
        long Sum(TapeBuffers.Keeping k) => buffers.Where(b => b.Keeping == k && (b.First >= 0 || k != TapeBuffers.Keeping.None)).Sum(Bytes);
        var planned = buffers.Where(b => b.Keeping == TapeBuffers.Keeping.None && b.First >= 0).ToList();
        var byKind = planned.GroupBy(b => Kind(names, b.First))
            .Select(g => (g.Key, g.Sum(Bytes), g.Count())).OrderByDescending(x => x.Item2).ToList();
        return new TapeMemory(Sum(TapeBuffers.Keeping.None), arena, Sum(TapeBuffers.Keeping.Constant), Sum(TapeBuffers.Keeping.Gradient),
            Sum(TapeBuffers.Keeping.Output), Sum(TapeBuffers.Keeping.Kept),
            buffers.Where(b => b.Keeping == TapeBuffers.Keeping.None && b.First < 0).Sum(Bytes), byKind);
    }

    /// <summary>The name of the named computation at or after <paramref name="step"/>, without its number ("bookkeeping" if none).</summary>
    private static string Kind(IReadOnlyList<string?> names, int step)
    {
        for (int i = step; i < names.Count; i++)
            if (names[i] is { } n) return n[(n.IndexOf('.') + 1)..].Trim();
        return "bookkeeping";
    }

    /// <summary>A few lines: the totals in MB, then the planned bytes by kind.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        static double Mb(long b) => b / 1048576.0;
        var sb = new StringBuilder();
        sb.Append(inv, $"planned {Mb(Planned):F1} MB in an arena of {Mb(Arena):F1} MB; kept: constants {Mb(Constants):F1}, gradients {Mb(Gradients):F1}, ")
          .Append(inv, $"outputs {Mb(Outputs):F1}, on request {Mb(Kept):F1}; untouched {Mb(Untouched):F1} MB");
        foreach (var (kind, bytes, count) in ByKind) sb.Append(inv, $"\n  {kind}: {Mb(bytes):F1} MB ({count})");
        return sb.ToString();
    }
}
