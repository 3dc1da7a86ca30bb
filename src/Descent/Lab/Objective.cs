namespace Descent.Lab;

/// <summary>
/// A test function of the notes with its gradient and Hessian in closed form (float64, no autograd needed),
/// and a window to draw it in.
/// </summary>
/// <param name="Name">Short name (used in file names).</param>
/// <param name="Formula">The formula as text.</param>
/// <param name="Dimension">1 or 2.</param>
/// <param name="F">f(x).</param>
/// <param name="Gradient">∇f(x).</param>
/// <param name="Hessian">∇²f(x), row-major d×d.</param>
/// <param name="Window">Drawing window: (x₁ min, x₁ max, x₂ min, x₂ max); x₂ bounds unused in 1-D.</param>
internal sealed record Objective(string Name, string Formula, int Dimension, Func<double[], double> F, Func<double[], double[]> Gradient,
    Func<double[], double[]> Hessian, (double X0, double X1, double Y0, double Y1) Window)
{
    /// <summary>f(x) = x² − 10x + 1 (minimum −24 at x = 5).</summary>
    public static Objective Quadratic1D { get; } = new("quadratic", "x² − 10x + 1", 1,
        x => x[0] * x[0] - 10 * x[0] + 1, x => [2 * x[0] - 10], _ => [2], (-12, 22, 0, 0));

    /// <summary>f(x) = x⁴ − 50x³ − x + 1 (global minimum near x = 37.5, flat inflection near x = 0).</summary>
    public static Objective Quartic1D { get; } = new("quartic", "x⁴ − 50x³ − x + 1", 1,
        x => Math.Pow(x[0], 4) - 50 * Math.Pow(x[0], 3) - x[0] + 1,
        x => [4 * Math.Pow(x[0], 3) - 150 * x[0] * x[0] - 1],
        x => [12 * x[0] * x[0] - 300 * x[0]], (-25, 50, 0, 0));

    /// <summary>f(x) = (x₁ − 5)² + x₂² (minimum 0 at (5, 0)).</summary>
    public static Objective ShiftedBowl { get; } = new("bowl", "(x₁ − 5)² + x₂²", 2,
        x => (x[0] - 5) * (x[0] - 5) + x[1] * x[1], x => [2 * x[0] - 10, 2 * x[1]], _ => [2, 0, 0, 2], (-12, 8, -7, 9));

    /// <summary>f(x) = 0.1x₁² + x₂² (an elongated bowl: curvature 0.2 along x₁, 2 along x₂).</summary>
    public static Objective Elongated { get; } = new("elongated", "0.1x₁² + x₂²", 2,
        x => 0.1 * x[0] * x[0] + x[1] * x[1], x => [0.2 * x[0], 2 * x[1]], _ => [0.2, 0, 0, 2], (-9, 9, -6, 6));

    /// <summary>f(x) = x₂² − x₁² (a saddle at the origin).</summary>
    public static Objective Saddle { get; } = new("saddle", "x₂² − x₁²", 2,
        x => x[1] * x[1] - x[0] * x[0], x => [-2 * x[0], 2 * x[1]], _ => [-2, 0, 0, 2], (-5, 5, -5, 5));

    /// <summary>f(x) = x₁² + x₁ − 4x₁x₂ + x₁³x₂ (the notes' example whose stationary points are all saddles).</summary>
    public static Objective Cubic2D { get; } = new("cubic", "x₁² + x₁ − 4x₁x₂ + x₁³x₂", 2,
        x => x[0] * x[0] + x[0] - 4 * x[0] * x[1] + Math.Pow(x[0], 3) * x[1],
        x => [2 * x[0] + 1 - 4 * x[1] + 3 * x[0] * x[0] * x[1], x[0] * x[0] * x[0] - 4 * x[0]],
        x => [2 + 6 * x[0] * x[1], 3 * x[0] * x[0] - 4, 3 * x[0] * x[0] - 4, 0], (-3, 3, -1.5, 1.5));

    /// <summary>Rosenbrock: f(x) = (1 − x₁)² + 100(x₂ − x₁²)² (minimum 0 at (1, 1), in a curved valley).</summary>
    public static Objective Rosenbrock { get; } = new("rosenbrock", "(1 − x₁)² + 100(x₂ − x₁²)²", 2,
        x => (1 - x[0]) * (1 - x[0]) + 100 * Math.Pow(x[1] - x[0] * x[0], 2),
        x => [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])],
        x => [2 - 400 * x[1] + 1200 * x[0] * x[0], -400 * x[0], -400 * x[0], 200], (-2, 2, -1, 3));

    /// <summary>Beale: f(x) = (1.5 − x₁ + x₁x₂)² + (2.25 − x₁ + x₁x₂²)² + (2.625 − x₁ + x₁x₂³)² (minimum 0 at (3, 0.5)).</summary>
    public static Objective Beale { get; } = new("beale", "Beale", 2, BealeF, BealeGrad, BealeHess, (-4.5, 4.5, -4.5, 4.5));

    private static double BealeF(double[] x)
    {
        double a = 1.5 - x[0] + x[0] * x[1], b = 2.25 - x[0] + x[0] * x[1] * x[1], c = 2.625 - x[0] + x[0] * Math.Pow(x[1], 3);
        return a * a + b * b + c * c;
    }

    private static double[] BealeGrad(double[] x)
    {
        double u = x[0], v = x[1];
        double a = 1.5 - u + u * v, b = 2.25 - u + u * v * v, c = 2.625 - u + u * v * v * v;
        return [2 * a * (v - 1) + 2 * b * (v * v - 1) + 2 * c * (v * v * v - 1),
                2 * a * u + 2 * b * 2 * u * v + 2 * c * 3 * u * v * v];
    }

    private static double[] BealeHess(double[] x)
    {
        // Central differences of the exact gradient (only used for classification).
        const double h = 1e-5;
        var gx1 = BealeGrad([x[0] + h, x[1]]); var gx0 = BealeGrad([x[0] - h, x[1]]);
        var gy1 = BealeGrad([x[0], x[1] + h]); var gy0 = BealeGrad([x[0], x[1] - h]);
        return [(gx1[0] - gx0[0]) / (2 * h), (gy1[0] - gy0[0]) / (2 * h), (gx1[1] - gx0[1]) / (2 * h), (gy1[1] - gy0[1]) / (2 * h)];
    }

    /// <summary>f on two coordinates (for contour plots).</summary>
    public double At(double x1, double x2) => F([x1, x2]);
}
