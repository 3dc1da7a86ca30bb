namespace Descent.Data;

/// <summary>
/// Built-in regression sets, drawn from our seeded <see cref="Rng"/> (a seed gives the same points; the functions go
/// through <see cref="Math.Sin"/>, which may differ across platforms in the last bit). <c>noise</c> is the standard
/// deviation of Gaussian noise added to the target.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>sine</b>: x ~ U[−π, π], y = sin(x) + noise·N(0, 1) (default noise 0.1). One feature, one target.</item>
/// <item><b>friedman</b> (Friedman 1991; scikit-learn's <c>make_friedman1</c>): x ~ U[0, 1]¹⁰,
/// y = 10 sin(π x₀x₁) + 20 (x₂ − ½)² + 10 x₃ + 5 x₄ + noise·N(0, 1) (default noise 1); x₅…x₉ do not matter.</item>
/// </list>
/// </remarks>
public static class SyntheticRegression
{
    /// <summary>The names <see cref="Generate"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["sine", "friedman"];

    /// <summary>The default noise of a set.</summary>
    public static double DefaultNoise(string name) => name == "friedman" ? 1.0 : 0.1;

    /// <summary>Draws <paramref name="n"/> points of the named set.</summary>
    public static Dataset Generate(string name, int n, double noise, Rng rng, string? datasetName = null)
    {
        if (n < 1) throw new ArgumentException($"{name}: n must be ≥ 1, got {n}.");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentException($"{name}: noise must be a finite number ≥ 0, got {noise}.");
        int d = name switch
        {
            "sine" => 1,
            "friedman" => 10,
            _ => throw new ArgumentException($"Unknown regression set '{name}'; expected one of {string.Join(", ", Names)}."),
        };
        var x = new float[n * d]; // [n, d]
        var y = new float[n];     // [n, 1]
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            double target;
            if (name == "sine")
            {
                row[0] = rng.Uniform(-Math.PI, Math.PI);
                target = Math.Sin(row[0]);
            }
            else
            {
                for (int j = 0; j < d; j++) row[j] = rng.NextDouble();
                target = 10 * Math.Sin(Math.PI * row[0] * row[1]) + 20 * (row[2] - 0.5) * (row[2] - 0.5) + 10 * row[3] + 5 * row[4];
            }
            if (noise > 0) target += noise * rng.NextNormal();
            for (int j = 0; j < d; j++) x[i * d + j] = (float)row[j];
            y[i] = (float)target;
        }
        return new Dataset(datasetName ?? name, x, y, [d], ["y"]);
    }
}
