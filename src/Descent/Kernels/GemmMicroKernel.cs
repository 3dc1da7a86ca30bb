using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>The instruction set a GEMM micro-kernel uses: the widest the CPU runs fast, unless overridden.</summary>
internal enum GemmIsa { Scalar, Vector128, Vector256, Vector512 }

/// <summary>
/// How a micro-kernel writes its tile: v = α·acc + β·C (C not read when <see cref="LoadC"/> is false, so NaN
/// there is ignored), then + bias[j] and ReLU when given. One k-block at a time: the first uses the caller's β,
/// later ones β = 1 (accumulate), and only the last applies bias and activation.
/// </summary>
internal readonly struct GemmStore<T>(T alpha, T beta, bool loadC, bool relu) where T : unmanaged
{
    public readonly T Alpha = alpha, Beta = beta;
    public readonly bool LoadC = loadC, Relu = relu;
}

/// <summary>
/// The epilogue of the vector micro-kernels, one body for every width <typeparamref name="TV"/>: a row's accumulators
/// become v = α·acc (+ β·C when <see cref="GemmStore{T}.LoadC"/>) (+ bias) then ReLU, rounded as the scalar edge path
/// rounds (one FMA for α·acc + β·C), and are stored into C.
/// </summary>
internal static unsafe class GemmEpilogue<TV, T> where TV : struct, ILanes<TV, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One vector of a row, at c (bias at the same columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* c, TV acc, T* bias, in GemmStore<T> e)
    {
        var v = e.LoadC ? TV.MultiplyAdd(acc, TV.Splat(e.Alpha), TV.Load(c) * TV.Splat(e.Beta)) : acc * TV.Splat(e.Alpha);
        if (bias != null) v += TV.Load(bias);
        if (e.Relu) v = TV.Max(v, TV.Splat(T.Zero));
        v.Store(c);
    }

    /// <summary>Two vectors of a row, at c and c + TV.Count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* c, TV acc0, TV acc1, T* bias, in GemmStore<T> e)
    {
        int w = TV.Count;
        Store(c, acc0, bias, in e);
        Store(c + w, acc1, bias == null ? null : bias + w, in e);
    }
}

/// <summary>
/// Micro-kernel selection and the parts shared by all widths: the scalar kernel and the edge store.
/// Every width computes each C element as the same FMA chain (increasing p within a k-block), so all
/// widths — and any tiling or thread split — give bitwise the same result.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>The kernel in use (tests switch it to cover the narrower paths).</summary>
    internal static GemmIsa Isa = Detect();

    /// <summary>Largest MR of any kernel (sizes the tile buffer).</summary>
    public const int MaxMR = 8;

    /// <summary>Rows of the scalar tile.</summary>
    public const int ScalarMR = 4, ScalarNR = 4;

    public static GemmIsa Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return GemmIsa.Vector512;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return GemmIsa.Vector256;
        if (Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported)) return GemmIsa.Vector128;
        return GemmIsa.Scalar;
    }

    public static int MR(GemmIsa isa) => isa switch
    {
        GemmIsa.Vector512 => GemmMicroKernel512.MR,
        GemmIsa.Vector256 or GemmIsa.Vector128 => GemmMicroKernel6x2<Lanes256<float>, float>.MR,
        _ => ScalarMR,
    };

    public static int NR<T>(GemmIsa isa) where T : unmanaged => isa switch
    {
        GemmIsa.Vector512 => 2 * Vector512<T>.Count,
        GemmIsa.Vector256 => 2 * Vector256<T>.Count,
        GemmIsa.Vector128 => 2 * Vector128<T>.Count,
        _ => ScalarNR,
    };

    /// <summary>A full MR × NR tile straight into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T>(GemmIsa isa, int kc, T* pa, T* pb, T* c, int ldc, T* bias, in GemmStore<T> e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (isa)
        {
            case GemmIsa.Vector512: GemmMicroKernel512.Run(kc, pa, GemmMicroKernel512.MR, 1, pb, GemmMicroKernel512.NR<T>(), c, ldc, bias, in e); break;
            case GemmIsa.Vector256: GemmMicroKernel6x2<Lanes256<T>, T>.Run(kc, pa, pb, c, ldc, bias, in e); break;
            case GemmIsa.Vector128: GemmMicroKernel6x2<Lanes128<T>, T>.Run(kc, pa, pb, c, ldc, bias, in e); break;
            default: RunScalar(kc, pa, pb, c, ldc, bias, in e); break;
        }
    }

    /// <summary>
    /// A tile that is not whole (rows × cols inside MR × NR, at the bottom or right edge of C). A 6-row kernel's bottom
    /// tile with whole columns runs on fewer rows: 3 or 4 rows (or 1 or 2 without a neighbour) on
    /// <see cref="GemmMicroKernel6x2{TV, T}.RunFour"/>; 1 or 2 rows together with the same rows of the next sliver,
    /// <paramref name="pbNext"/> (whole, columns [NR, 2·NR) of this tile's C and bias; null when there is none), on
    /// <see cref="GemmMicroKernel6x2{TV, T}.RunTwoPair"/>. Then <paramref name="nextDone"/> is set, and the caller's
    /// call for that next tile returns at once (clearing it). Other tiles go to <see cref="RunEdge"/>. The same FMA chains
    /// and epilogue as the whole-tile kernel: the same bits.
    /// </summary>
    public static void RunPartial<T>(GemmIsa isa, int kc, T* pa, T* pb, T* pbNext, T* c, int ldc, int rows, int cols, T* bias,
        in GemmStore<T> e, T* tile, ref bool nextDone) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (nextDone) { nextDone = false; return; }
        if (cols == NR<T>(isa) && rows <= 4 && isa is GemmIsa.Vector256 or GemmIsa.Vector128)
        {
            bool pair = rows <= 2 && pbNext != null;
            if (isa == GemmIsa.Vector256)
            {
                if (pair) GemmMicroKernel6x2<Lanes256<T>, T>.RunTwoPair(kc, pa, pb, pbNext, c, ldc, rows, bias, in e);
                else GemmMicroKernel6x2<Lanes256<T>, T>.RunFour(kc, pa, pb, c, ldc, rows, bias, in e);
            }
            else
            {
                if (pair) GemmMicroKernel6x2<Lanes128<T>, T>.RunTwoPair(kc, pa, pb, pbNext, c, ldc, rows, bias, in e);
                else GemmMicroKernel6x2<Lanes128<T>, T>.RunFour(kc, pa, pb, c, ldc, rows, bias, in e);
            }
            nextDone = pair;
            return;
        }
        RunEdge(isa, kc, pa, pb, c, ldc, rows, cols, bias, in e, tile);
    }

    /// <summary>
    /// A partial tile (rows × cols inside MR × NR, at the bottom or right edge of C): the kernel writes the raw
    /// sums into <paramref name="tile"/> [MR, NR], then the epilogue runs element by element with the same
    /// operations (a scalar FMA rounds like a vector lane).
    /// </summary>
    public static void RunEdge<T>(GemmIsa isa, int kc, T* pa, T* pb, T* c, int ldc, int rows, int cols, T* bias, in GemmStore<T> e, T* tile)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = NR<T>(isa);
        if (isa == GemmIsa.Vector512 && rows == GemmMicroKernel512.MR && 2 * cols == nr)
        {
            GemmMicroKernel512.RunHalf(kc, pa, GemmMicroKernel512.MR, 1, pb, nr, c, ldc, bias, in e);
            return;
        }
        var raw = new GemmStore<T>(T.One, T.Zero, false, false);
        Run(isa, kc, pa, pb, tile, nr, null, in raw);
        for (int r = 0; r < rows; r++)
        {
            T* cr = c + (long)r * ldc, tr = tile + r * nr;
            for (int j = 0; j < cols; j++)
            {
                T v = e.LoadC ? T.FusedMultiplyAdd(tr[j], e.Alpha, cr[j] * e.Beta) : tr[j] * e.Alpha;
                if (bias != null) v += bias[j];
                if (e.Relu) v = T.Max(v, T.Zero);
                cr[j] = v;
            }
        }
    }

    /// <summary>The portable kernel: a 4 × 4 tile, each element a scalar FMA chain.</summary>
    private static void RunScalar<T>(int kc, T* pa, T* pb, T* c, int ldc, T* bias, in GemmStore<T> e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* acc = stackalloc T[ScalarMR * ScalarNR];
        for (int i = 0; i < ScalarMR * ScalarNR; i++) acc[i] = T.Zero;
        for (int p = 0; p < kc; p++, pa += ScalarMR, pb += ScalarNR)
            for (int r = 0; r < ScalarMR; r++)
                for (int j = 0; j < ScalarNR; j++)
                    acc[r * ScalarNR + j] = T.FusedMultiplyAdd(pa[r], pb[j], acc[r * ScalarNR + j]);
        for (int r = 0; r < ScalarMR; r++)
        {
            T* cr = c + (long)r * ldc;
            for (int j = 0; j < ScalarNR; j++)
            {
                T v = e.LoadC ? T.FusedMultiplyAdd(acc[r * ScalarNR + j], e.Alpha, cr[j] * e.Beta) : acc[r * ScalarNR + j] * e.Alpha;
                if (bias != null) v += bias[j];
                if (e.Relu) v = T.Max(v, T.Zero);
                cr[j] = v;
            }
        }
    }
}
