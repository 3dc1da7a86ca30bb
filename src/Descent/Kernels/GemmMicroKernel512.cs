using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// The 512-bit GEMM micro-kernel: a 8 × 2·Vector512&lt;T&gt;.Count tile of C held in 16 registers, updated by
/// rank-1 FMAs c[r, :] += a[r]·b[:] over a packed A sliver [kc, 8] and a packed B sliver [kc, NR].
/// Each C element is one FMA chain in increasing p, so its value does not depend on where its tile lies.
/// </summary>
internal static unsafe class GemmMicroKernel512
{
    /// <summary>Rows of the tile.</summary>
    public const int MR = 8;

    /// <summary>Columns of the tile (two vectors).</summary>
    public static int NR<T>() => 2 * Vector512<T>.Count;

    /// <summary>
    /// C[0..MR, 0..NR] ← epilogue(Σₚ pa[p·sa + r·ra]·pb[p·sb + j]), C with row stride ldc. Packed slivers have sa = MR,
    /// ra = 1 and sb = NR; an operand already in memory is read in place: Aᵀ or B by rows (sa = lda, ra = 1; sb = ldb),
    /// A by its rows' streams (sa = 1, ra = lda: eight rows read in step, as the packed sliver would hold them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int kc, T* pa, int sa, int ra, T* pb, int sb, T* c, int ldc, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        int w = Vector512<T>.Count;
        nint r1 = ra, r2 = 2 * (nint)ra, r3 = 3 * (nint)ra;
        T* pa4 = pa + 4 * (nint)ra;   // rows 4..7
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb); var b1 = Vector512.Load(pb + w);
            Vector512<T> a;
            a = Vector512.Create(pa[0]); c00 = Fma(a, b0, c00); c01 = Fma(a, b1, c01);
            a = Vector512.Create(pa[r1]); c10 = Fma(a, b0, c10); c11 = Fma(a, b1, c11);
            a = Vector512.Create(pa[r2]); c20 = Fma(a, b0, c20); c21 = Fma(a, b1, c21);
            a = Vector512.Create(pa[r3]); c30 = Fma(a, b0, c30); c31 = Fma(a, b1, c31);
            a = Vector512.Create(pa4[0]); c40 = Fma(a, b0, c40); c41 = Fma(a, b1, c41);
            a = Vector512.Create(pa4[r1]); c50 = Fma(a, b0, c50); c51 = Fma(a, b1, c51);
            a = Vector512.Create(pa4[r2]); c60 = Fma(a, b0, c60); c61 = Fma(a, b1, c61);
            a = Vector512.Create(pa4[r3]); c70 = Fma(a, b0, c70); c71 = Fma(a, b1, c71);
            pa += sa; pa4 += sa; pb += sb;
        }
        Store(c, c00, c01, bias, in e);
        Store(c + 1 * ldc, c10, c11, bias, in e);
        Store(c + 2 * ldc, c20, c21, bias, in e);
        Store(c + 3 * ldc, c30, c31, bias, in e);
        Store(c + 4 * ldc, c40, c41, bias, in e);
        Store(c + 5 * ldc, c50, c51, bias, in e);
        Store(c + 6 * ldc, c60, c61, bias, in e);
        Store(c + 7 * ldc, c70, c71, bias, in e);
    }

    /// <summary>
    /// The left half of a tile, MR × Vector512&lt;T&gt;.Count, straight into C: the right edge of a C whose width leaves
    /// half a sliver (784 = 24·32 + 16 columns). Same FMA chains and epilogue as <see cref="Run{T}"/>, so the same bits;
    /// pb is still a full-width sliver [kc, NR] (its right half is padding, not read), or B's rows read in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf<T>(int kc, T* pa, int sa, int ra, T* pb, int sb, T* c, int ldc, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        nint r1 = ra, r2 = 2 * (nint)ra, r3 = 3 * (nint)ra;
        T* pa4 = pa + 4 * (nint)ra;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            c0 = Fma(Vector512.Create(pa[0]), b0, c0);
            c1 = Fma(Vector512.Create(pa[r1]), b0, c1);
            c2 = Fma(Vector512.Create(pa[r2]), b0, c2);
            c3 = Fma(Vector512.Create(pa[r3]), b0, c3);
            c4 = Fma(Vector512.Create(pa4[0]), b0, c4);
            c5 = Fma(Vector512.Create(pa4[r1]), b0, c5);
            c6 = Fma(Vector512.Create(pa4[r2]), b0, c6);
            c7 = Fma(Vector512.Create(pa4[r3]), b0, c7);
            pa += sa; pa4 += sa; pb += sb;
        }
        StoreHalf(c, c0, bias, in e);
        StoreHalf(c + 1 * ldc, c1, bias, in e);
        StoreHalf(c + 2 * ldc, c2, bias, in e);
        StoreHalf(c + 3 * ldc, c3, bias, in e);
        StoreHalf(c + 4 * ldc, c4, bias, in e);
        StoreHalf(c + 5 * ldc, c5, bias, in e);
        StoreHalf(c + 6 * ldc, c6, bias, in e);
        StoreHalf(c + 7 * ldc, c7, bias, in e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    /// <summary>One vector of a row through the shared epilogue (<see cref="GemmEpilogue{TV, T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreHalf<T>(T* c, Vector512<T> acc, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T> =>
        GemmEpilogue<Lanes512<T>, T>.Store(c, new Lanes512<T>(acc), bias, in e);

    /// <summary>One row of the tile through the shared epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, Vector512<T> acc0, Vector512<T> acc1, T* bias, in GemmStore<T> e) where T : unmanaged, IFloatingPointIeee754<T> =>
        GemmEpilogue<Lanes512<T>, T>.Store(c, new Lanes512<T>(acc0), new Lanes512<T>(acc1), bias, in e);
}
