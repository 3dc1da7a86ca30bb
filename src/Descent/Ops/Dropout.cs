using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout (Srivastava et al. 2014; the notes' "随机失活"): y = x ⊙ m with mᵢ = 1/(1 − p) with probability
    /// 1 − p and 0 otherwise, so E[y] = x and nothing changes at evaluation time. Backward: ∂L/∂x = ∂L/∂y ⊙ m.
    /// The mask [shape of x] is drawn from <paramref name="rng"/> when the op runs — again on every replay of a captured
    /// step, from the generator's state at that time (<see cref="IKernels.DropoutMask"/>), never replayed from a recording.
    /// </summary>
    public static Tensor Dropout(this Tensor x, double p, Rng rng)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout: probability must be in [0, 1], got {p}.");
        ArgumentNullException.ThrowIfNull(rng);
        var mask = x.ZerosLike();                                            // shape of x: 0 or 1/(1 − p)
        Tape.Run("dropout mask", () =>
        {
            var k = KernelProvider.Current;
            if (mask.DType == DType.Float32) k.DropoutMask(rng, p, mask.Floats); else k.DropoutMask(rng, p, mask.Doubles);
        });
        return x.Mul(mask);
    }
}
