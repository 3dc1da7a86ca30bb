using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// The sum of one contiguous run in eight float64 lanes — the order the batch norm of feature maps adds up a channel's
/// values in, defined so that a vector unit can follow it exactly:
/// <code>
///   Lₗ = Σ term(t) over t ≡ l (mod 8), in increasing t, each lane its own float64 chain (float32 widened exactly)
///   Σ = ((L₀ + L₁) + (L₂ + L₃)) + ((L₄ + L₅) + (L₆ + L₇))
///   term: a[t] (Plain), (a[t] − μ)² (squared deviation), a[t]·b[t] (Product); no fused multiply-add
/// </code>
/// <see cref="Reference{T}"/> is that loop, one element at a time; the fast form runs eight lanes as two 4-wide float64
/// vectors (the lanes are independent chains, so the bits are the reference's on any vector width). A single chain over
/// the run would be latency-bound: one add every four cycles.
/// </summary>
internal static unsafe class LaneSum
{
    /// <summary>What is summed.</summary>
    public enum Term { Plain, SquaredDeviation, Product }

    /// <summary>The definition: one element at a time into lane t mod 8.</summary>
    public static double Reference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, double mu, Term term) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> lane = stackalloc double[8];
        lane.Clear();
        for (int t = 0; t < a.Length; t++) lane[t & 7] += Of(a, b, t, mu, term);
        return Combine(lane);
    }

    /// <summary>The same sum, eight lanes at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Fast<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, double mu, Term term) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Vector256.IsHardwareAccelerated || a.Length < 8) return Reference(a, b, mu, term);
        Vector256<double> lo = Vector256<double>.Zero, hi = lo, m = Vector256.Create(mu);
        int n = a.Length, t = 0;
        fixed (T* pa = a, pb = b)
        {
            for (; t + 8 <= n; t += 8)
            {
                Load(pa, t, out var al, out var ah);
                switch (term)
                {
                    case Term.Plain: lo += al; hi += ah; break;
                    case Term.SquaredDeviation: al -= m; ah -= m; lo += al * al; hi += ah * ah; break;
                    default: Load(pb, t, out var bl, out var bh); lo += al * bl; hi += ah * bh; break;
                }
            }
        }
        Span<double> lane = stackalloc double[8];
        lo.CopyTo(lane);
        hi.CopyTo(lane[4..]);
        for (; t < n; t++) lane[t & 7] += Of(a, b, t, mu, term);
        return Combine(lane);
    }

    /// <summary>Elements [t, t + 8) as float64: lanes 0–3 and 4–7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<T>(T* p, int t, out Vector256<double> lo, out Vector256<double> hi) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) (lo, hi) = Vector256.Widen(Vector256.Load((float*)p + t));
        else { lo = Vector256.Load((double*)p + t); hi = Vector256.Load((double*)p + t + 4); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Of<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int t, double mu, Term term) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double v = double.CreateTruncating(a[t]);
        switch (term)
        {
            case Term.Plain: return v;
            case Term.SquaredDeviation: double d = v - mu; return d * d;
            default: return v * double.CreateTruncating(b[t]);
        }
    }

    private static double Combine(ReadOnlySpan<double> l) => ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}
