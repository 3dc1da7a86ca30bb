namespace Descent.Data;

/// <summary>
/// Two-dimensional toy sets for classification, each drawn from our seeded <see cref="Rng"/> (so a seed gives
/// bitwise the same points on this machine; the angles go through <see cref="Math.Sin"/>/<see cref="Math.Cos"/>,
/// which may differ across platforms in the last bit). Rows cycle through the classes (label i mod k), so every
/// class has ⌊n/k⌋ or ⌈n/k⌉ points. <c>noise</c> is the standard deviation of Gaussian noise added to each coordinate.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>circles</b> (as scikit-learn's <c>make_circles</c>, factor 0.5): class 0 on the unit circle, class 1 on the
/// circle of radius 0.5, angle θ ~ U[0, 2π).</item>
/// <item><b>moons</b> (<c>make_moons</c>): class 0 at (cos t, sin t), class 1 at (1 − cos t, 0.5 − sin t), t ~ U[0, π].</item>
/// <item><b>spirals</b> (CS231n's k-arm spiral): class j at r(sin θ, cos θ) with r ~ U[0, 1],
/// θ = 4j + 4r + noise·N(0, 1) — here the noise perturbs the angle, as in CS231n.</item>
/// <item><b>blobs</b> (<c>make_blobs</c>): k centres ~ U[−10, 10]² drawn first, then points N(centre, noise²).</item>
/// <item><b>xor</b>: x ~ U[−1, 1]², label 1 when x₀x₁ &lt; 0 (opposite quadrants), then noise is added.</item>
/// </list>
/// </remarks>
public static class Synthetic
{
    /// <summary>The names <see cref="Generate"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["circles", "moons", "spirals", "blobs", "xor"];

    /// <summary>The default noise of a set (used when a spec gives none).</summary>
    public static double DefaultNoise(string name) => name switch { "spirals" => 0.2, "blobs" => 1.0, _ => 0.1 };

    /// <summary>The default number of classes of a set (circles, moons and xor have exactly 2).</summary>
    public static int DefaultClasses(string name) => name is "spirals" or "blobs" ? 3 : 2;

    /// <summary>Draws <paramref name="n"/> points of the named set.</summary>
    public static Dataset Generate(string name, int n, double noise, int classes, Rng rng, string? datasetName = null)
    {
        if (n < 1) throw new ArgumentException($"{name}: n must be ≥ 1, got {n}.");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentException($"{name}: noise must be a finite number ≥ 0, got {noise}.");
        if (name is "circles" or "moons" or "xor" && classes != 2)
            throw new ArgumentException($"{name} has exactly 2 classes, got classes={classes}.");
        if (classes < 2 || classes > 100) throw new ArgumentException($"{name}: classes must be in 2..100, got {classes}.");
        var x = new float[2 * n]; // [n, 2]
        var y = new int[n];       // [n]
        double[]? centres = null;
        if (name == "blobs")
        {
            centres = new double[2 * classes]; // [classes, 2]
            for (int i = 0; i < centres.Length; i++) centres[i] = rng.Uniform(-10, 10);
        }
        for (int i = 0; i < n; i++)
        {
            int label = name == "xor" ? 0 : i % classes;
            double a, b;
            switch (name)
            {
                case "circles":
                {
                    double theta = rng.Uniform(0, 2 * Math.PI), r = label == 0 ? 1.0 : 0.5;
                    (a, b) = (r * Math.Cos(theta), r * Math.Sin(theta));
                    break;
                }
                case "moons":
                {
                    double t = rng.Uniform(0, Math.PI);
                    (a, b) = label == 0 ? (Math.Cos(t), Math.Sin(t)) : (1 - Math.Cos(t), 0.5 - Math.Sin(t));
                    break;
                }
                case "spirals":
                {
                    double r = rng.NextDouble(), theta = 4.0 * label + 4.0 * r + noise * rng.NextNormal();
                    x[2 * i] = (float)(r * Math.Sin(theta));
                    x[2 * i + 1] = (float)(r * Math.Cos(theta));
                    y[i] = label;
                    continue;
                }
                case "blobs":
                    (a, b) = (centres![2 * label], centres[2 * label + 1]);
                    break;
                case "xor":
                    (a, b) = (rng.Uniform(-1, 1), rng.Uniform(-1, 1));
                    label = a * b < 0 ? 1 : 0;
                    break;
                default:
                    throw new ArgumentException($"Unknown synthetic dataset '{name}'; expected one of {string.Join(", ", Names)}.");
            }
            if (noise > 0) { a += noise * rng.NextNormal(); b += noise * rng.NextNormal(); }
            x[2 * i] = (float)a;
            x[2 * i + 1] = (float)b;
            y[i] = label;
        }
        var classNames = Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new Dataset(datasetName ?? name, x, y, [2], classNames);
    }
}
