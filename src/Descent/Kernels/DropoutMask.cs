using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// An inverted-dropout mask: mask[i] = 1/(1 − p) when the i-th draw u ~ U[0, 1) of the generator is ≥ p, else 0 (all 0
/// when p = 1). The generator is sequential, one draw per element in order, so the reference and the fast kernel are
/// this same loop: a mask depends only on the generator's state, never on the kernel set or the thread count.
/// </summary>
internal static class DropoutMask
{
    public static void Draw<T>(Rng rng, double p, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = p == 1 ? T.Zero : T.CreateTruncating(1.0 / (1 - p));
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= p ? scale : T.Zero;
    }
}
