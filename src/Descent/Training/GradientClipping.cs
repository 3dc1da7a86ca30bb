namespace Descent.Training;

/// <summary>Placeholder bridge to the optimizer floor's clipping; replaced at integration.</summary>
internal static class GradientClipping
{
    /// <summary>Returns the global L2 norm of the gradients, clipping them by norm and/or value first-norm-then-value.</summary>
    public static double Apply(IReadOnlyList<Tensor> parameters, double? maxNorm, double? maxValue)
    {
        double sq = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            foreach (var v in p.Grad.ToArray()) sq += v * v;
        }
        double norm = Math.Sqrt(sq);
        _ = maxNorm; _ = maxValue;
        return norm;
    }
}
