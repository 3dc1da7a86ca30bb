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
///   with a gate: a[t] taken as +0 where gate[t] ≯ 0 (a fused ReLU's backward: g counts where the ReLU's output is positive)
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
    public static double Reference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, double mu, Term term, ReadOnlySpan<T> gate = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> lane = stackalloc double[8];
        lane.Clear();
        for (int t = 0; t < a.Length; t++) lane[t & 7] += Of(a, b, t, mu, term, gate);
        return Combine(lane);
    }

    /// <summary>The same sum, eight lanes at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Fast<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, double mu, Term term, ReadOnlySpan<T> gate = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Vector256.IsHardwareAccelerated || a.Length < 8) return Reference(a, b, mu, term, gate);
        Vector256<double> lo = Vector256<double>.Zero, hi = lo, m = Vector256.Create(mu);
        int n = a.Length, t = 0;
        bool gated = !gate.IsEmpty;
        fixed (T* pa = a, pb = b, pg = gate)
        {
            for (; t + 8 <= n; t += 8)
            {
                Load(pa, t, out var al, out var ah);
                if (gated)
                {
                    Load(pg, t, out var gl, out var gh);
                    al = Vector256.ConditionalSelect(Vector256.GreaterThan(gl, Vector256<double>.Zero), al, Vector256<double>.Zero);
                    ah = Vector256.ConditionalSelect(Vector256.GreaterThan(gh, Vector256<double>.Zero), ah, Vector256<double>.Zero);
                }
                switch (term)
                {
                    case Term.Plain: break;
                    case Term.SquaredDeviation: al -= m; ah -= m; al *= al; ah *= ah; break;
                    default: Load(pb, t, out var bl, out var bh); al *= bl; ah *= bh; break;
                }
                lo += al; hi += ah;
            }
        }
        // The tail (t ≥ n − n mod 8, lanes 0 … n mod 8 − 1) as vectors with +0 in the other lanes: adding +0 leaves a lane
        // as it is (a lane is never −0: it starts at +0, and +0 + −0 = +0).
        if (t < n)
        {
            Span<double> tail = stackalloc double[8];
            tail.Clear();
            for (int j = 0; t + j < n; j++) tail[j] = Of(a, b, t + j, mu, term, gate);
            lo += Vector256.Create<double>(tail);
            hi += Vector256.Create<double>(tail[4..]);
        }
        return ((lo.GetElement(0) + lo.GetElement(1)) + (lo.GetElement(2) + lo.GetElement(3)))
             + ((hi.GetElement(0) + hi.GetElement(1)) + (hi.GetElement(2) + hi.GetElement(3)));
    }

    /// <summary>Elements [t, t + 8) as float64: lanes 0–3 and 4–7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<T>(T* p, int t, out Vector256<double> lo, out Vector256<double> hi) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) (lo, hi) = Vector256.Widen(Vector256.Load((float*)p + t));
        else { lo = Vector256.Load((double*)p + t); hi = Vector256.Load((double*)p + t + 4); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Of<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int t, double mu, Term term, ReadOnlySpan<T> gate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double v = gate.IsEmpty || gate[t] > T.Zero ? double.CreateTruncating(a[t]) : 0;
        switch (term)
        {
            case Term.Plain: return v;
            case Term.SquaredDeviation: double d = v - mu; return d * d;
            default: return v * double.CreateTruncating(b[t]);
        }
    }

    private static double Combine(ReadOnlySpan<double> l) => ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}
