namespace Descent;

/// <summary>
/// Gradient checking (the notes' "梯度检验"): compares the analytic gradient from backpropagation with
/// the central difference ĝᵢ = (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε, element by element, in float64.
/// </summary>
/// <remarks>
/// Reported per input: the largest absolute error maxᵢ|gᵢ − ĝᵢ|, the largest relative error
/// maxᵢ |gᵢ − ĝᵢ| / max(|gᵢ|, |ĝᵢ|), and the notes' relative difference
/// ‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂) (0 when both are 0). A check passes when the relative difference is at most
/// the tolerance (1e-7 by default: with ε = 1e-6 in float64 a correct gradient lands near 1e-9 or below;
/// above 1e-5 something is almost certainly wrong). The function must be deterministic (no fresh dropout masks).
/// </remarks>
public static class GradCheck
{
    /// <summary>The comparison for one input tensor.</summary>
    /// <param name="Name">The input's name (or "input i").</param>
    /// <param name="Shape">The input's shape.</param>
    /// <param name="MaxAbsError">maxᵢ |gᵢ − ĝᵢ|.</param>
    /// <param name="MaxRelError">maxᵢ |gᵢ − ĝᵢ| / max(|gᵢ|, |ĝᵢ|), over elements where either is non-zero.</param>
    /// <param name="RelativeDifference">‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂).</param>
    /// <param name="Passed">RelativeDifference ≤ tolerance.</param>
    public sealed record Result(string Name, int[] Shape, double MaxAbsError, double MaxRelError, double RelativeDifference, bool Passed);

    /// <summary>
    /// Checks ∂f/∂input for every input. <paramref name="f"/> must return a one-element tensor computed from the
    /// inputs, which must be float64 leaves with <c>RequiresGrad</c> (their values are perturbed and restored).
    /// </summary>
    public static IReadOnlyList<Result> Check(Func<Tensor> f, IReadOnlyList<Tensor> inputs, double epsilon = 1e-6, double tolerance = 1e-7)
    {
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i];
            if (t.DType != DType.Float64)
                throw new ArgumentException($"GradCheck: input {t.Name ?? i.ToString()} is {t.DType.Name()}; gradient checks need float64 (call To(DType.Float64)).");
            if (!t.IsLeaf || !t.RequiresGrad)
                throw new ArgumentException($"GradCheck: input {t.Name ?? i.ToString()} must be a leaf with RequiresGrad = true.");
        }

        foreach (var t in inputs) t.Grad = null;
        var loss = f();
        if (loss.Length != 1) throw new ShapeException($"GradCheck: f must return one element, got shape {Descent.Shape.Format(loss.Shape)}.");
        loss.Backward();

        var results = new List<Result>(inputs.Count);
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i];
            var analytic = t.Grad?.ToArray() ?? new double[t.Length];
            var numeric = new double[t.Length];
            var v = t.Doubles;
            using (Autograd.NoGrad())
            {
                for (int j = 0; j < v.Length; j++)
                {
                    double saved = v[j];
                    v[j] = saved + epsilon;
                    double plus = f().Item();
                    v[j] = saved - epsilon;
                    double minus = f().Item();
                    v[j] = saved;
                    numeric[j] = (plus - minus) / (2 * epsilon);
                }
            }
            results.Add(Compare(t.Name ?? $"input {i}", t.ShapeArray, analytic, numeric, tolerance));
        }
        return results;
    }

    /// <summary>The three error measures of two gradient vectors.</summary>
    public static Result Compare(string name, int[] shape, ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric, double tolerance = 1e-7)
    {
        double maxAbs = 0, maxRel = 0, diff2 = 0, a2 = 0, n2 = 0;
        for (int j = 0; j < analytic.Length; j++)
        {
            double d = Math.Abs(analytic[j] - numeric[j]);
            maxAbs = Math.Max(maxAbs, d);
            double scale = Math.Max(Math.Abs(analytic[j]), Math.Abs(numeric[j]));
            if (scale > 0) maxRel = Math.Max(maxRel, d / scale);
            diff2 += d * d;
            a2 += analytic[j] * analytic[j];
            n2 += numeric[j] * numeric[j];
        }
        double denom = Math.Sqrt(a2) + Math.Sqrt(n2);
        double rel = denom == 0 ? 0 : Math.Sqrt(diff2) / denom;
        bool passed = rel <= tolerance && !double.IsNaN(rel);
        return new Result(name, shape, maxAbs, maxRel, rel, passed);
    }
}
