using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Optim;

/// <summary>
/// Gradient clipping, in place on the parameters' gradients — PyTorch's
/// <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>.
/// </summary>
/// <remarks>
/// By norm: ‖g‖_p = ‖(‖g₁‖_p, …, ‖g_k‖_p)‖_p over all gradients together (p = 2, 1, ∞ or any p &gt; 0);
/// every gradient is multiplied by c = min(1, max_norm / (‖g‖_p + 1e-6)); the total norm before clipping
/// is returned. By value: every element is clamped to [−v, v]. Keras differs: its <c>clipnorm</c> clips
/// each tensor by its own norm, and <c>global_clipnorm</c> multiplies by max_norm/max(‖g‖, max_norm)
/// (no 1e-6). Each tensor's 2-norm and 1-norm are summed in float64 by cascade summation (accurate over millions of
/// float32 elements) and rounded to the gradient's own dtype, as PyTorch's per-tensor norm is; the per-tensor norms
/// are combined in float64.
/// </remarks>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so that their joint p-norm is at most <paramref name="maxNorm"/>; returns the
    /// norm before clipping. Parameters without a gradient are skipped.
    /// </summary>
    /// <param name="parameters">the parameters whose <c>Grad</c> is clipped</param>
    /// <param name="maxNorm">the largest allowed norm</param>
    /// <param name="normType">p: 2 (default), 1, <see cref="double.PositiveInfinity"/>, or any p &gt; 0</param>
    /// <param name="errorIfNonfinite">throw when the total norm is NaN or ±∞ instead of scaling by it</param>
    public static double ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        if (!(maxNorm >= 0)) throw new ArgumentException($"clip_grad_norm: max_norm must be ≥ 0, got {Fmt(maxNorm)}.");
        if (!(normType > 0)) throw new ArgumentException($"clip_grad_norm: norm_type must be > 0 (2, 1, inf, …), got {Fmt(normType)}.");
        double total = TotalNorm(parameters, normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new ArithmeticException($"clip_grad_norm: the total norm of order {Fmt(normType)} of the gradients is {Fmt(total)}, so they cannot be clipped; "
                + "the loss or a gradient overflowed (lower the learning rate, or clip with errorIfNonfinite = false).");
        double coef = Math.Min(maxNorm / (total + 1e-6), 1.0);
        for (int k = 0; k < parameters.Count; k++)
        {
            var g = parameters[k].Grad;
            if (g is null) continue;
            if (g.DType == DType.Float32) Scale(g.Floats, (float)coef); else Scale(g.Doubles, coef);
        }
        return total;
    }

    /// <summary>The joint p-norm of all gradients, without clipping (see <see cref="ClipGradNorm"/>).</summary>
    public static double TotalNorm(IReadOnlyList<Tensor> parameters, double normType = 2)
    {
        bool inf = double.IsPositiveInfinity(normType);
        double acc = 0;
        for (int k = 0; k < parameters.Count; k++)
        {
            var g = parameters[k].Grad;
            if (g is null) continue;
            double n = g.DType == DType.Float32 ? Norm<float>(g.Floats, normType) : Norm<double>(g.Doubles, normType);
            if (inf) acc = double.IsNaN(n) ? n : Math.Max(acc, n);
            else acc += normType == 2 ? n * n : normType == 1 ? n : Math.Pow(n, normType);
        }
        return inf || normType == 1 ? acc : normType == 2 ? Math.Sqrt(acc) : Math.Pow(acc, 1 / normType);
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipGradValue(IReadOnlyList<Tensor> parameters, double clipValue)
    {
        if (!(clipValue >= 0)) throw new ArgumentException($"clip_grad_value: clip_value must be ≥ 0, got {Fmt(clipValue)}.");
        for (int k = 0; k < parameters.Count; k++)
        {
            var g = parameters[k].Grad;
            if (g is null) continue;
            if (g.DType == DType.Float32) Clamp(g.Floats, (float)clipValue); else Clamp(g.Doubles, clipValue);
        }
    }

    private static double Norm<T>(ReadOnlySpan<T> x, double p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double acc = 0;
        if (double.IsPositiveInfinity(p))
        {
            for (int i = 0; i < x.Length; i++) { double a = double.CreateTruncating(T.Abs(x[i])); acc = double.IsNaN(a) ? a : Math.Max(acc, a); }
            return acc;
        }
        if (x.Length == 0) return 0;
        // Σ in float64 by cascade summation, rounded to the gradient's dtype as PyTorch's per-tensor norm is.
        if (p == 2) return double.CreateTruncating(T.CreateTruncating(Math.Sqrt(CascadeSum.SumOfSquares(x))));
        if (p == 1) return double.CreateTruncating(T.CreateTruncating(CascadeSum.SumOfMagnitudes(x)));
        for (int i = 0; i < x.Length; i++) acc += Math.Pow(Math.Abs(double.CreateTruncating(x[i])), p);
        return Math.Pow(acc, 1 / p);
    }

    private static void Scale<T>(Span<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(x, c, x);
    }

    private static void Clamp<T>(Span<T> x, T v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T lo = -v;
        for (int i = 0; i < x.Length; i++) x[i] = T.IsNaN(x[i]) ? x[i] : T.Min(T.Max(x[i], lo), v);
    }

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
