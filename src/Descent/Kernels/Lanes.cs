using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// A group of <typeparamref name="T"/> lanes, so that an optimizer's update rule is written once, generic in
/// <typeparamref name="TSelf"/>, and run at the widest width the processor has (<see cref="Lanes512{T}"/>), at
/// <see cref="Vector{T}"/>'s width, and one lane at a time for the tail (<see cref="Lane1{T}"/>).
/// IEEE add, subtract, multiply, divide, square root and max round the same in a lane as in a scalar, so every
/// width gives bitwise the same numbers (a test checks it). (.NET's own <c>ISimdVector</c> is internal.)
/// </summary>
internal unsafe interface ILanes<TSelf, T> where TSelf : struct, ILanes<TSelf, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes per group.</summary>
    static abstract int Count { get; }

    /// <summary>Elements [i, i + Count) of <paramref name="s"/>.</summary>
    static abstract TSelf Load(ReadOnlySpan<T> s, int i);

    /// <summary>Every lane set to <paramref name="x"/>.</summary>
    static abstract TSelf Splat(T x);

    /// <summary>Writes the lanes to elements [i, i + Count) of <paramref name="s"/>.</summary>
    void Store(Span<T> s, int i);

    /// <summary>Elements [0, Count) at <paramref name="p"/> (the GEMM micro-kernels' packed slivers).</summary>
    static abstract TSelf Load(T* p);

    /// <summary>Writes the lanes to <paramref name="p"/>.</summary>
    void Store(T* p);

    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>√x per lane.</summary>
    static abstract TSelf Sqrt(TSelf x);

    /// <summary>max(a, b) per lane.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>The sum of the lanes (in an order fixed by the width).</summary>
    T Sum();

    /// <summary>a·b + c per lane, rounded once (fused multiply-add).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>x where gate &gt; 0, else 0, per lane (the ReLU mask; a NaN gate gives 0).</summary>
    static abstract TSelf WherePositive(TSelf gate, TSelf x);
}

/// <summary>Which lane widths to run an update at.</summary>
internal static class Lanes
{
    /// <summary>Whether <see cref="Lanes512{T}"/> runs in hardware (AVX-512).</summary>
    public static bool Wide<T>() => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    /// <summary>Whether <see cref="LanesN{T}"/> runs in hardware (AVX2, SSE, NEON).</summary>
    public static bool Narrow<T>() => Vector.IsHardwareAccelerated && Vector<T>.IsSupported;

    /// <summary>Lanes of the widest group <see cref="LaneRule"/> runs a rule at.</summary>
    public static int Width<T>() => Wide<T>() ? Vector512<T>.Count : Narrow<T>() ? Vector<T>.Count : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref T At<T>(ReadOnlySpan<T> s, int i) => ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref T At<T>(Span<T> s, int i) => ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
}

/// <summary>16 floats or 8 doubles (<see cref="Vector512{T}"/>).</summary>
internal readonly struct Lanes512<T>(Vector512<T> v) : ILanes<Lanes512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Load(ReadOnlySpan<T> s, int i) => new(Vector512.LoadUnsafe(ref Lanes.At(s, i)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Splat(T x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(Span<T> s, int i) => _v.StoreUnsafe(ref Lanes.At(s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Lanes512<T> Load(T* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public unsafe void Store(T* p) => _v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator *(Lanes512<T> a, Lanes512<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> operator /(Lanes512<T> a, Lanes512<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Sqrt(Lanes512<T> x) => new(Vector512.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> Max(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Sum() => Vector512.Sum(_v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> MultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) =>
        typeof(T) == typeof(float) ? new(Vector512.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>())
        : new(Vector512.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512<T> WherePositive(Lanes512<T> gate, Lanes512<T> x) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(gate._v, Vector512<T>.Zero), x._v, Vector512<T>.Zero));
}

/// <summary><see cref="Vector{T}"/>'s width (256 bits with AVX2, 128 with SSE or NEON).</summary>
internal readonly struct LanesN<T>(Vector<T> v) : ILanes<LanesN<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v = v;
    public static int Count => Vector<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> Load(ReadOnlySpan<T> s, int i) => new(Vector.LoadUnsafe(ref Lanes.At(s, i)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> Splat(T x) => new(new Vector<T>(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(Span<T> s, int i) => _v.StoreUnsafe(ref Lanes.At(s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe LanesN<T> Load(T* p) => new(Vector.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public unsafe void Store(T* p) => _v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> operator +(LanesN<T> a, LanesN<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> operator -(LanesN<T> a, LanesN<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> operator *(LanesN<T> a, LanesN<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> operator /(LanesN<T> a, LanesN<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> Sqrt(LanesN<T> x) => new(Vector.SquareRoot(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> Max(LanesN<T> a, LanesN<T> b) => new(Vector.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Sum() => Vector.Sum(_v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> MultiplyAdd(LanesN<T> a, LanesN<T> b, LanesN<T> c) =>
        typeof(T) == typeof(float) ? new(Vector.FusedMultiplyAdd(a._v.As<T, float>(), b._v.As<T, float>(), c._v.As<T, float>()).As<float, T>())
        : new(Vector.FusedMultiplyAdd(a._v.As<T, double>(), b._v.As<T, double>(), c._v.As<T, double>()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static LanesN<T> WherePositive(LanesN<T> gate, LanesN<T> x) =>
        new(Vector.ConditionalSelect(Vector.GreaterThan(gate._v, Vector<T>.Zero), x._v, Vector<T>.Zero));
}

/// <summary>8 floats or 4 doubles (<see cref="Vector256{T}"/>): the GEMM's AVX2 micro-kernel.</summary>
internal readonly struct Lanes256<T>(Vector256<T> v) : ILanes<Lanes256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;
    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Load(ReadOnlySpan<T> s, int i) => new(Vector256.LoadUnsafe(ref Lanes.At(s, i)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Splat(T x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(Span<T> s, int i) => _v.StoreUnsafe(ref Lanes.At(s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Lanes256<T> Load(T* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public unsafe void Store(T* p) => _v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> operator +(Lanes256<T> a, Lanes256<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> operator -(Lanes256<T> a, Lanes256<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> operator *(Lanes256<T> a, Lanes256<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> operator /(Lanes256<T> a, Lanes256<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Sqrt(Lanes256<T> x) => new(Vector256.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> Max(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Sum() => Vector256.Sum(_v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> MultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) =>
        typeof(T) == typeof(float) ? new(Vector256.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>())
        : new(Vector256.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256<T> WherePositive(Lanes256<T> gate, Lanes256<T> x) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(gate._v, Vector256<T>.Zero), x._v, Vector256<T>.Zero));
}

/// <summary>4 floats or 2 doubles (<see cref="Vector128{T}"/>): the GEMM's SSE/NEON micro-kernel.</summary>
internal readonly struct Lanes128<T>(Vector128<T> v) : ILanes<Lanes128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v = v;
    public static int Count => Vector128<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Load(ReadOnlySpan<T> s, int i) => new(Vector128.LoadUnsafe(ref Lanes.At(s, i)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Splat(T x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(Span<T> s, int i) => _v.StoreUnsafe(ref Lanes.At(s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Lanes128<T> Load(T* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public unsafe void Store(T* p) => _v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> operator +(Lanes128<T> a, Lanes128<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> operator -(Lanes128<T> a, Lanes128<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> operator *(Lanes128<T> a, Lanes128<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> operator /(Lanes128<T> a, Lanes128<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Sqrt(Lanes128<T> x) => new(Vector128.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> Max(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Sum() => Vector128.Sum(_v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> MultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) =>
        typeof(T) == typeof(float) ? new(Vector128.FusedMultiplyAdd(a._v.AsSingle(), b._v.AsSingle(), c._v.AsSingle()).As<float, T>())
        : new(Vector128.FusedMultiplyAdd(a._v.AsDouble(), b._v.AsDouble(), c._v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128<T> WherePositive(Lanes128<T> gate, Lanes128<T> x) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(gate._v, Vector128<T>.Zero), x._v, Vector128<T>.Zero));
}

/// <summary>One lane: the scalar tail of every update, and the whole update where there are no vectors.</summary>
internal readonly struct Lane1<T>(T v) : ILanes<Lane1<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = v;
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> Load(ReadOnlySpan<T> s, int i) => new(Lanes.At(s, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> Splat(T x) => new(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(Span<T> s, int i) => Lanes.At(s, i) = _v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Lane1<T> Load(T* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public unsafe void Store(T* p) => *p = _v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> operator +(Lane1<T> a, Lane1<T> b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> operator -(Lane1<T> a, Lane1<T> b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> operator *(Lane1<T> a, Lane1<T> b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> operator /(Lane1<T> a, Lane1<T> b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> Sqrt(Lane1<T> x) => new(T.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> Max(Lane1<T> a, Lane1<T> b) => new(T.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Sum() => _v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> MultiplyAdd(Lane1<T> a, Lane1<T> b, Lane1<T> c) => new(T.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1<T> WherePositive(Lane1<T> gate, Lane1<T> x) => new(gate._v > T.Zero ? x._v : T.Zero);
}

/// <summary>
/// An update rule over a chunk, written once for any lane width: <see cref="Run{V}"/> updates elements from
/// <c>i</c> on, a group of <c>V.Count</c> at a time, while a whole group fits, and returns where it stopped.
/// </summary>
internal interface ILaneRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates whole groups of lanes from element <paramref name="i"/>; returns the first element not updated.</summary>
    int Run<V>(int i) where V : struct, ILanes<V, T>;
}

/// <summary>Runs a rule over its chunk: 512-bit groups where there are, else <see cref="Vector{T}"/> groups, then single lanes.</summary>
internal static class LaneRule
{
    /// <summary>Runs the rule from element <paramref name="from"/> (default 0) to its end.</summary>
    public static void Run<T, TRule>(ref TRule rule, int from = 0) where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, ILaneRule<T>, allows ref struct
    {
        int i = from;
        if (Lanes.Wide<T>()) i = rule.Run<Lanes512<T>>(i);
        else if (Lanes.Narrow<T>()) i = rule.Run<LanesN<T>>(i);
        rule.Run<Lane1<T>>(i);
    }
}

/// <summary>Σ g² over a span, as <see cref="CascadeSum.SumOfSquares{T}"/>: float64 accumulators (float32 widened exactly), the same bits every run.</summary>
internal static class SumOfSquares
{
    public static double Of<T>(ReadOnlySpan<T> g) where T : unmanaged, IFloatingPointIeee754<T> => CascadeSum.SumOfSquares(g);
}
