using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// Accurate, reproducible reductions of a span to one float64 number: Σ xᵢ, Σ xᵢ² and Σ |xᵢ| — the cascade
/// (blocked pairwise) summation PyTorch's <c>sum</c> uses, with float64 accumulators even for float32 data.
/// </summary>
/// <remarks>
/// <code>
/// blocks of B = 4096 elements:  sᵦ = Σ term(xᵢ) over the block, in float64 lanes (float32 widened exactly)
/// total = pairwise(s₀, s₁, …)   ((s₀ + s₁) + (s₂ + s₃)) + …, a tree fixed by the number of blocks
/// </code>
/// A naive float32 running sum stops growing once the sum is 2²⁴ times an element (Σ of 2·10⁷ ones is 16777216);
/// here the error is at most about (B/16 + log₂(n/B))·2⁻⁵³ of Σ|term(xᵢ)| before the one final rounding to float32.
/// Blocks are cut at fixed offsets and each is summed by one thread in one order, so the bits do not depend on
/// the thread count: large spans are split over the worker pool by whole blocks.
/// </remarks>
internal static unsafe class CascadeSum
{
    /// <summary>Elements per block (a multiple of every vector width).</summary>
    public const int Block = 4096;

    /// <summary>Fewest blocks per part worth another thread (2¹⁸ elements).</summary>
    private const int BlocksPerPart = 64;

    /// <summary>Block sums kept on the stack (spans up to 2²⁰ elements); longer spans rent an array.</summary>
    private const int StackBlocks = 256;

    /// <summary>Σ xᵢ in float64.</summary>
    public static double Sum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Run<T, Plain>(x);

    /// <summary>Σ xᵢ² in float64 (no overflow for float32 data).</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Run<T, Square>(x);

    /// <summary>Σ |xᵢ| in float64.</summary>
    public static double SumOfMagnitudes<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Run<T, Magnitude>(x);

    private static double Run<T, TTerm>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TTerm : ISumTerm
    {
        int blocks = (x.Length + Block - 1) / Block;
        fixed (T* p = x)
        {
            if (blocks <= 1) return BlockSum<T, TTerm>(p, x.Length);
            double[]? rented = blocks > StackBlocks ? ArrayPool<double>.Shared.Rent(blocks) : null;
            Span<double> partial = rented is null ? stackalloc double[StackBlocks] : rented;
            partial = partial[..blocks];
            fixed (double* pp = partial)
            {
                int parts = Math.Clamp(Math.Min(Threading.MaxThreads, blocks / BlocksPerPart), 1, blocks);
                var job = Job<T, TTerm>.ForThisThread();
                job.Set(p, x.Length, pp, blocks, parts);
                WorkerPool.Shared.Run(job, parts, parts);
                job.Set(null, 0, null, 0, 0);
            }
            double total = Pairwise(partial);
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
            return total;
        }
    }

    /// <summary>((p₀ + p₁) + (p₂ + p₃)) + … in place: adjacent pairs, level by level (an odd last one moves up as it is).</summary>
    internal static double Pairwise(Span<double> p)
    {
        int m = p.Length;
        if (m == 0) return 0;
        while (m > 1)
        {
            int half = m / 2;
            for (int i = 0; i < half; i++) p[i] = p[2 * i] + p[2 * i + 1];
            if ((m & 1) != 0) p[half] = p[m - 1];
            m = half + (m & 1);
        }
        return p[0];
    }

    /// <summary>Σ term(xᵢ) over one block: four float64 vector accumulators (float32 widened exactly), then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BlockSum<T, TTerm>(T* x, int n) where T : unmanaged, IFloatingPointIeee754<T> where TTerm : ISumTerm
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            if (typeof(T) == typeof(float))
            {
                float* f = (float*)x;
                int w = Vector<float>.Count;
                for (; i <= n - 2 * w; i += 2 * w)
                {
                    Vector.Widen(Vector.Load(f + i), out var lo0, out var hi0);
                    Vector.Widen(Vector.Load(f + i + w), out var lo1, out var hi1);
                    a0 += TTerm.Of(lo0); a1 += TTerm.Of(hi0); a2 += TTerm.Of(lo1); a3 += TTerm.Of(hi1);
                }
            }
            else
            {
                double* d = (double*)x;
                int w = Vector<double>.Count;
                for (; i <= n - 4 * w; i += 4 * w)
                {
                    a0 += TTerm.Of(Vector.Load(d + i)); a1 += TTerm.Of(Vector.Load(d + i + w));
                    a2 += TTerm.Of(Vector.Load(d + i + 2 * w)); a3 += TTerm.Of(Vector.Load(d + i + 3 * w));
                }
            }
            total = Vector.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) total += TTerm.Of(double.CreateTruncating(x[i]));
        return total;
    }

    /// <summary>Blocks [b₀, b₁) of part p: an even split of the blocks over the parts.</summary>
    private sealed class Job<T, TTerm> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T> where TTerm : ISumTerm
    {
        [ThreadStatic] private static Job<T, TTerm>? _current;
        private T* _x;
        private double* _partial;
        private int _length, _blocks, _parts;

        public static Job<T, TTerm> ForThisThread() => _current ??= new Job<T, TTerm>();

        public void Set(T* x, int length, double* partial, int blocks, int parts)
        {
            _x = x; _length = length; _partial = partial; _blocks = blocks; _parts = parts;
        }

        public void Run(int part)
        {
            int b0 = (int)((long)_blocks * part / _parts), b1 = (int)((long)_blocks * (part + 1) / _parts);
            for (int b = b0; b < b1; b++)
            {
                int start = b * Block;
                _partial[b] = BlockSum<T, TTerm>(_x + start, Math.Min(Block, _length - start));
            }
        }
    }

    /// <summary>What <see cref="CascadeSum"/> adds up: the element, its square or its magnitude.</summary>
    private interface ISumTerm
    {
        static abstract double Of(double x);
        static abstract Vector<double> Of(Vector<double> x);
    }

    private readonly struct Plain : ISumTerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Of(double x) => x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Of(Vector<double> x) => x;
    }

    private readonly struct Square : ISumTerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Of(double x) => x * x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Of(Vector<double> x) => x * x;
    }

    private readonly struct Magnitude : ISumTerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Of(double x) => Math.Abs(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<double> Of(Vector<double> x) => Vector.Abs(x);
    }
}
