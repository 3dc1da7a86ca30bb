using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// The 256-bit GEMM micro-kernel: a 6 × 2·Vector256&lt;T&gt;.Count tile of C held in 12 registers, updated by
/// rank-1 FMAs c[r, :] += a[r]·b[:] over a packed A sliver [kc, 6] and a packed B sliver [kc, NR].
/// Each C element is one FMA chain in increasing p, so its value does not depend on where its tile lies.
/// </summary>
internal static unsafe class GemmMicroKernel256
{
    /// <summary>Rows of the tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of the tile (two vectors).</summary>
    public static int NR<T>() => 2 * Vector256<T>.Count;

    /// <summary>C[0..MR, 0..NR] ← epilogue(Σₚ pa[p, r]·pb[p, j]); pa is [kc, MR], pb is [kc, NR], C has row stride ldc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int kc, T* pa, T* pb, T* c, int ldc, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        int w = Vector256<T>.Count;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(pb); var b1 = Vector256.Load(pb + w);
            Vector256<T> a;
            a = Vector256.Create(pa[0]); c00 = Fma(a, b0, c00); c01 = Fma(a, b1, c01);
            a = Vector256.Create(pa[1]); c10 = Fma(a, b0, c10); c11 = Fma(a, b1, c11);
            a = Vector256.Create(pa[2]); c20 = Fma(a, b0, c20); c21 = Fma(a, b1, c21);
            a = Vector256.Create(pa[3]); c30 = Fma(a, b0, c30); c31 = Fma(a, b1, c31);
            a = Vector256.Create(pa[4]); c40 = Fma(a, b0, c40); c41 = Fma(a, b1, c41);
            a = Vector256.Create(pa[5]); c50 = Fma(a, b0, c50); c51 = Fma(a, b1, c51);
            pa += MR; pb += 2 * w;
        }
        Store(c, c00, c01, bias, in e);
        Store(c + 1 * ldc, c10, c11, bias, in e);
        Store(c + 2 * ldc, c20, c21, bias, in e);
        Store(c + 3 * ldc, c30, c31, bias, in e);
        Store(c + 4 * ldc, c40, c41, bias, in e);
        Store(c + 5 * ldc, c50, c51, bias, in e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    /// <summary>One row of the tile through the epilogue: v = α·acc (+ β·C) (+ bias) then the activation (see <see cref="GemmStore{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, Vector256<T> acc0, Vector256<T> acc1, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        var alpha = Vector256.Create(e.Alpha);
        Vector256<T> v0, v1;
        if (e.LoadC)
        {
            var beta = Vector256.Create(e.Beta);
            v0 = Fma(acc0, alpha, Vector256.Load(c) * beta);
            v1 = Fma(acc1, alpha, Vector256.Load(c + w) * beta);
        }
        else { v0 = acc0 * alpha; v1 = acc1 * alpha; }
        if (bias != null) { v0 += Vector256.Load(bias); v1 += Vector256.Load(bias + w); }
        if (e.Relu) { v0 = Vector256.Max(v0, Vector256<T>.Zero); v1 = Vector256.Max(v1, Vector256<T>.Zero); }
        v0.Store(c); v1.Store(c + w);
    }
}
