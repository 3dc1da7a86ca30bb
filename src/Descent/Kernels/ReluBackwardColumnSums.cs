using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// The backward pass of a linear layer's ReLU and bias in one sweep over the gradient:
/// G ← G ⊙ [Y &gt; 0] (the ReLU mask, Y the layer's output) and ∂L/∂b[j] = Σᵢ G[i, j] (the bias gradient).
/// Shapes: G, Y [rows, cols]; sums [cols].
/// </summary>
/// <remarks>
/// The columns are split over the worker pool in blocks of whole vectors; each column's sum runs over the rows in
/// order, so the bits do not depend on the split or the thread count.
/// </remarks>
internal static unsafe class ReluBackwardColumnSums
{
    /// <summary>Fewest elements worth a second thread.</summary>
    private const int ParallelElements = 1 << 13;

    /// <summary>Applies the mask (when <paramref name="y"/> is not empty) and writes the column sums (when <paramref name="sums"/> is not empty).</summary>
    public static void Run<T>(Span<T> g, ReadOnlySpan<T> y, int rows, int cols, Span<T> sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(g.Length, rows * cols, "ReluBackwardColumnSums");
        if (!y.IsEmpty) Check.SameLength(y.Length, g.Length, "ReluBackwardColumnSums");
        if (!sums.IsEmpty) Check.SameLength(sums.Length, cols, "ReluBackwardColumnSums");
        if (g.IsEmpty) { sums.Clear(); return; }
        fixed (T* pg = g, py = y, ps = sums)
        {
            var job = Job<T>.ForThisThread();
            job.Set(pg, y.IsEmpty ? null : py, sums.IsEmpty ? null : ps, rows, cols);
            int width = Lanes.Width<T>();
            int blocks = (cols + width - 1) / width;
            int parts = g.Length < ParallelElements ? 1 : Math.Min(Math.Min(Threading.MaxThreads, blocks), 8);
            job.Parts = parts; job.Width = width;
            WorkerPool.Shared.Run(job, parts, parts);
            job.Set(null, null, null, 0, 0);
        }
    }

    private sealed class Job<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static Job<T>? _current;
        private T* _g, _y, _sums;
        private int _rows, _cols;
        public int Parts, Width;

        public static Job<T> ForThisThread() => _current ??= new Job<T>();

        public void Set(T* g, T* y, T* sums, int rows, int cols) { _g = g; _y = y; _sums = sums; _rows = rows; _cols = cols; }

        /// <summary>Columns [j0, j1) of part <paramref name="part"/>: whole vectors, the last part takes the rest.</summary>
        public void Run(int part)
        {
            int blocks = (_cols + Width - 1) / Width;
            int j0 = Math.Min(_cols, blocks * part / Parts * Width), j1 = Math.Min(_cols, blocks * (part + 1) / Parts * Width);
            var rule = new Rule<T> { G = _g, Y = _y, Sums = _sums, Rows = _rows, Cols = _cols, End = j1 };
            LaneRule.Run<T, Rule<T>>(ref rule, j0);
        }
    }

    /// <summary>One group of columns at a time, every row: mask, store, add into the column sums.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* G, Y, Sums;
        public int Rows, Cols, End;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int j) where TV : struct, ILanes<TV, T>
        {
            int w = TV.Count;
            // Four groups of columns at a time: each row contributes one contiguous run of 4·w, and the four sums stay
            // in registers down the rows.
            for (; j <= End - 4 * w; j += 4 * w)
            {
                TV s0 = TV.Splat(T.Zero), s1 = s0, s2 = s0, s3 = s0;
                for (int i = 0; i < Rows; i++)
                {
                    var row = new Span<T>(G + (long)i * Cols + j, 4 * w);
                    TV g0 = TV.Load(row, 0), g1 = TV.Load(row, w), g2 = TV.Load(row, 2 * w), g3 = TV.Load(row, 3 * w);
                    if (Y != null)
                    {
                        var gate = new ReadOnlySpan<T>(Y + (long)i * Cols + j, 4 * w);
                        g0 = TV.WherePositive(TV.Load(gate, 0), g0); g1 = TV.WherePositive(TV.Load(gate, w), g1);
                        g2 = TV.WherePositive(TV.Load(gate, 2 * w), g2); g3 = TV.WherePositive(TV.Load(gate, 3 * w), g3);
                        g0.Store(row, 0); g1.Store(row, w); g2.Store(row, 2 * w); g3.Store(row, 3 * w);
                    }
                    s0 += g0; s1 += g1; s2 += g2; s3 += g3;
                }
                if (Sums != null)
                {
                    var sums = new Span<T>(Sums + j, 4 * w);
                    s0.Store(sums, 0); s1.Store(sums, w); s2.Store(sums, 2 * w); s3.Store(sums, 3 * w);
                }
            }
            for (; j <= End - w; j += w)
            {
                var sum = TV.Splat(T.Zero);
                for (int i = 0; i < Rows; i++)
                {
                    var row = new Span<T>(G + (long)i * Cols, Cols);
                    var gv = TV.Load(row, j);
                    if (Y != null) { gv = TV.WherePositive(TV.Load(new ReadOnlySpan<T>(Y + (long)i * Cols, Cols), j), gv); gv.Store(row, j); }
                    sum += gv;
                }
                if (Sums != null) sum.Store(new Span<T>(Sums, Cols), j);
            }
            return j;
        }
    }
}
