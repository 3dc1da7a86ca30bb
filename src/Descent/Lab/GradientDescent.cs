namespace Descent.Lab;

/// <summary>How a descent run ended.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DescentStatus>))]
internal enum DescentStatus
{
    /// <summary>The gradient norm fell below the tolerance.</summary>
    Converged,
    /// <summary>Still moving towards a stationary point when the iterations ran out.</summary>
    NotConverged,
    /// <summary>Bounded but the gradient norm did not shrink (the iterates bounce across the valley).</summary>
    Oscillating,
    /// <summary>The iterates grew without bound (or became NaN/∞).</summary>
    Diverged,
    /// <summary>Not converged, and the last steps are shorter than 10⁻⁴: stuck on a flat region.</summary>
    Stalled,
}

/// <summary>One run of gradient descent: the path and how it ended.</summary>
internal sealed record DescentRun(string Function, double LearningRate, double[] Start, int Iterations, double[] FinalX, double FinalF,
    double GradientNorm, DescentStatus Status)
{
    /// <summary>Every iterate x⁽⁰⁾, x⁽¹⁾, … (x⁽⁰⁾ is the start).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double[]> Path { get; init; } = [];

    /// <summary>f at every iterate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Status as the table prints it.</summary>
    public string StatusText => Status switch
    {
        DescentStatus.Converged => "converged",
        DescentStatus.NotConverged => "still moving",
        DescentStatus.Oscillating => "oscillating",
        DescentStatus.Stalled => "stalled (steps < 1e-4)",
        _ => "diverged",
    };
}

/// <summary>
/// Plain gradient descent, x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ ∇f(x⁽ᵗ⁾) (the notes' formula), in float64 on an <see cref="Objective"/>.
/// It stops early only when ‖∇f‖ &lt; tolerance (1e-8) or the iterates blow up; the verdict follows
/// <see cref="Criterion"/>, one rule for every run.
/// </summary>
internal static class GradientDescent
{
    /// <summary>The one criterion every verdict of the lab's descent runs follows (g = ‖∇f‖ at the last iterate, g₀ at the start).</summary>
    public const string Criterion =
        "Verdicts: diverged if ‖x‖ > 1e8 or g > 100·g₀; converged if g ≤ max(1e-8, 1e-5·g₀); oscillating if g ≥ g₀/2, or g ≥ g₀/100 " +
        "and most of the last ten steps reverse; stalled if the last step γ·g < 1e-4; otherwise still moving (budget spent).";

    /// <summary>Runs gradient descent from <paramref name="start"/>.</summary>
    public static DescentRun Run(Objective f, double[] start, double learningRate, int iterations, double tolerance = 1e-8)
    {
        if (start.Length != f.Dimension)
            throw new ArgumentException($"GradientDescent.Run: {f.Name} takes {f.Dimension} coordinates, the start has {start.Length}.");
        if (!(learningRate > 0)) throw new ArgumentException($"GradientDescent.Run: learning rate must be positive, got {learningRate}.");
        var x = (double[])start.Clone();
        var path = new List<double[]> { (double[])x.Clone() };
        var values = new List<double> { f.F(x) };
        double g0 = Norm(f.Gradient(x)), g = g0;
        int t = 0;
        var status = DescentStatus.NotConverged;
        for (; t < iterations; t++)
        {
            var grad = f.Gradient(x);
            g = Norm(grad);
            if (g < tolerance) { status = DescentStatus.Converged; break; }
            for (int i = 0; i < x.Length; i++) x[i] -= learningRate * grad[i];
            path.Add((double[])x.Clone());
            values.Add(f.F(x));
            if (!x.All(double.IsFinite) || Norm(x) > 1e8) { status = DescentStatus.Diverged; t++; break; }
        }
        if (status == DescentStatus.NotConverged)
        {
            g = Norm(f.Gradient(x));
            if (g <= Math.Max(tolerance, 1e-5 * g0)) status = DescentStatus.Converged;
            else if (g > 100 * g0) status = DescentStatus.Diverged;
            else if (iterations >= 10 && (g >= 0.5 * g0 || (g >= 0.01 * g0 && Reverses(path)))) status = DescentStatus.Oscillating;
            else if (learningRate * g < 1e-4) status = DescentStatus.Stalled;
        }
        double fx = f.F(x);
        if (!double.IsFinite(fx)) status = DescentStatus.Diverged;
        return new DescentRun(f.Name, learningRate, (double[])start.Clone(), t, x, fx, g, status) { Path = path, Values = values };
    }

    /// <summary>Whether most of the last ten steps point against the step before (the iterates bounce).</summary>
    private static bool Reverses(List<double[]> path)
    {
        int reversals = 0, n = path.Count;
        for (int k = Math.Max(2, n - 10); k < n; k++)
        {
            double dot = 0;
            for (int i = 0; i < path[k].Length; i++) dot += (path[k][i] - path[k - 1][i]) * (path[k - 1][i] - path[k - 2][i]);
            if (dot < 0) reversals++;
        }
        return reversals >= 6;
    }

    /// <summary>Euclidean norm.</summary>
    public static double Norm(double[] v) => Math.Sqrt(v.Sum(a => a * a));
}
