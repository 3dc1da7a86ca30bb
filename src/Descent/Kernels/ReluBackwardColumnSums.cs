using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// The backward pass of a linear layer's ReLU and bias in one sweep over the gradient:
/// G ← G ⊙ [Y &gt; 0] (the ReLU mask, Y the layer's output) and ∂L/∂b[j] = Σᵢ G[i, j] (the bias gradient).
/// Shapes: G, Y [rows, cols]; sums [cols]. Without a mask it is the column sum of any matrix (<c>sum(0)</c>).
/// </summary>
/// <remarks>
/// Each column's sum runs over the rows in order in a float64 accumulator (float32 widened exactly, rounded once at
/// the end): 2·10⁷ rows of ones sum to 2·10⁷, where a float32 accumulator stops at 2²⁴. The columns are split over
/// the worker pool in blocks of whole vectors, so the bits do not depend on the split or the thread count; the
/// reference kernel's scalar loop adds in the same order and gives the same bits.
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
        fixed (T* pg = g, py = y, ps = sums) Start(pg, y.IsEmpty ? null : py, sums.IsEmpty ? null : ps, rows, cols, accumulate: false);
    }

    /// <summary>y[j] ← y[j] + Σᵢ x[i, j], the sum taken in float64 from y[j] on. // x: [rows, cols], y: [cols]</summary>
    public static void Add<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameLength(x.Length, rows * cols, "AddColumnSums");
        Check.SameLength(y.Length, cols, "AddColumnSums");
        if (x.IsEmpty) return;
        // x is only read: with no mask the sweep never stores into its first argument.
        fixed (T* px = x, py = y) Start(px, null, py, rows, cols, accumulate: true);
    }

    private static void Start<T>(T* g, T* y, T* sums, int rows, int cols, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = Job<T>.ForThisThread();
        job.Set(g, y, sums, rows, cols, accumulate);
        int width = Lanes.Width<T>();
        int blocks = (cols + width - 1) / width;
        int parts = (long)rows * cols < ParallelElements ? 1 : Math.Min(Math.Min(Threading.MaxThreads, blocks), 8);
        job.Parts = parts; job.Width = width;
        WorkerPool.Shared.Run(job, parts, parts);
        job.Set(null, null, null, 0, 0, false);
    }

    private sealed class Job<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static Job<T>? _current;
        private T* _g, _y, _sums;
        private int _rows, _cols;
        private bool _accumulate;
        public int Parts, Width;

        public static Job<T> ForThisThread() => _current ??= new Job<T>();

        public void Set(T* g, T* y, T* sums, int rows, int cols, bool accumulate)
        {
            _g = g; _y = y; _sums = sums; _rows = rows; _cols = cols; _accumulate = accumulate;
        }

        /// <summary>Columns [j0, j1) of part <paramref name="part"/>: whole vectors, the last part takes the rest.</summary>
        public void Run(int part)
        {
            int blocks = (_cols + Width - 1) / Width;
            int j0 = Math.Min(_cols, blocks * part / Parts * Width), j1 = Math.Min(_cols, blocks * (part + 1) / Parts * Width);
            if (typeof(T) == typeof(float))
            {
                FloatColumns((float*)_g, (float*)_y, (float*)_sums, _rows, _cols, j0, j1, _accumulate);
                return;
            }
            var rule = new Rule<T> { G = _g, Y = _y, Sums = _sums, Rows = _rows, Cols = _cols, End = j1, Accumulate = _accumulate };
            LaneRule.Run<T, Rule<T>>(ref rule, j0);
        }
    }

    /// <summary>Float32 columns [j, end): two vectors of columns at a time, summed down the rows in four float64 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FloatColumns(float* g, float* y, float* sums, int rows, int cols, int j, int end, bool accumulate)
    {
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= end - 2 * w; j += 2 * w)
            {
                Vector<double> s0 = Vector<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
                if (accumulate) { Vector.Widen(Vector.Load(sums + j), out s0, out s1); Vector.Widen(Vector.Load(sums + j + w), out s2, out s3); }
                for (int i = 0; i < rows; i++)
                {
                    float* row = g + (long)i * cols + j;
                    Vector<float> g0 = Vector.Load(row), g1 = Vector.Load(row + w);
                    if (y != null)
                    {
                        float* gate = y + (long)i * cols + j;
                        g0 = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(gate), Vector<float>.Zero), g0, Vector<float>.Zero);
                        g1 = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(gate + w), Vector<float>.Zero), g1, Vector<float>.Zero);
                        g0.Store(row); g1.Store(row + w);
                    }
                    Vector.Widen(g0, out var lo0, out var hi0);
                    Vector.Widen(g1, out var lo1, out var hi1);
                    s0 += lo0; s1 += hi0; s2 += lo1; s3 += hi1;
                }
                if (sums != null) { Vector.Narrow(s0, s1).Store(sums + j); Vector.Narrow(s2, s3).Store(sums + j + w); }
            }
        }
        for (; j < end; j++)
        {
            double s = accumulate ? sums[j] : 0;
            for (int i = 0; i < rows; i++)
            {
                long at = (long)i * cols + j;
                if (y != null && !(y[at] > 0)) g[at] = 0;
                s += g[at];
            }
            if (sums != null) sums[j] = (float)s;
        }
    }

    /// <summary>Float64 columns, one group of columns at a time, every row: mask, store, add into the column sums.</summary>
    private ref struct Rule<T> : ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* G, Y, Sums;
        public int Rows, Cols, End;
        public bool Accumulate;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Run<TV>(int j) where TV : struct, ILanes<TV, T>
        {
            int w = TV.Count;
            // Four groups of columns at a time: each row contributes one contiguous run of 4·w, and the four sums stay
            // in registers down the rows.
            for (; j <= End - 4 * w; j += 4 * w)
            {
                TV s0 = TV.Splat(T.Zero), s1 = s0, s2 = s0, s3 = s0;
                if (Accumulate) { s0 = TV.Load(Sums + j); s1 = TV.Load(Sums + j + w); s2 = TV.Load(Sums + j + 2 * w); s3 = TV.Load(Sums + j + 3 * w); }
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
                var sum = Accumulate ? TV.Load(Sums + j) : TV.Splat(T.Zero);
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
