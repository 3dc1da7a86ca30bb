using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Descent.Optim;

/// <summary>
/// Loads and stores of <see cref="Vector{T}"/> lanes for the optimizers' update loops. Each loop runs
/// its rule on whole vectors, then on the scalar tail with the same operations in the same order; IEEE
/// add, multiply, divide and square root round the same in a lane as in a scalar, so both paths give
/// bitwise the same numbers (checked by a test), whatever the vector width.
/// </summary>
internal static class Lanes
{
    /// <summary>Whether the vector path is used for <typeparamref name="T"/>.</summary>
    public static bool Enabled<T>() => Vector.IsHardwareAccelerated && Vector<T>.IsSupported;

    /// <summary>Elements per vector.</summary>
    public static int Width<T>() => Vector<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(Span<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector<T> v, Span<T> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
}
