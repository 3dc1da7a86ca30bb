namespace Descent.Lab;

/// <summary>What the Hessian says about a stationary point.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<StationaryKind>))]
internal enum StationaryKind
{
    /// <summary>Hessian positive definite.</summary>
    Minimum,
    /// <summary>Hessian negative definite.</summary>
    Maximum,
    /// <summary>Hessian indefinite (eigenvalues of both signs).</summary>
    Saddle,
    /// <summary>A zero eigenvalue: the second-order test cannot decide.</summary>
    Degenerate,
}

/// <summary>A point where ∇f = 0, with f there, the Hessian's eigenvalues and the verdict.</summary>
internal sealed record StationaryPoint(double[] X, double F, double[] Eigenvalues, StationaryKind Kind)
{
    /// <summary>The verdict in words.</summary>
    public string KindText => Kind.ToString().ToLowerInvariant();
}

/// <summary>
/// Finds the stationary points of a 2-D function by Newton's method on ∇f = 0 (x ← x − H⁻¹∇f) from a grid of
/// starts, merges duplicates, and classifies each by the eigenvalues of the Hessian
/// (λ = (a + d)/2 ± √(((a − d)/2)² + b²) for H = [[a, b], [b, d]]): both positive → minimum, both negative →
/// maximum, opposite signs → saddle.
/// </summary>
internal static class StationaryPoints
{
    /// <summary>The stationary points inside the function's window.</summary>
    public static IReadOnlyList<StationaryPoint> Find(Objective f, int gridSide = 15)
    {
        if (f.Dimension != 2) throw new ArgumentException($"StationaryPoints.Find: expected a 2-D function, got {f.Name} ({f.Dimension}-D).");
        var (x0, x1, y0, y1) = f.Window;
        var found = new List<StationaryPoint>();
        for (int i = 0; i < gridSide; i++)
            for (int j = 0; j < gridSide; j++)
            {
                double[] x = [x0 + (x1 - x0) * (i + 0.5) / gridSide, y0 + (y1 - y0) * (j + 0.5) / gridSide];
                if (!Newton(f, x)) continue;
                if (x[0] < x0 || x[0] > x1 || x[1] < y0 || x[1] > y1) continue;
                if (found.Any(p => Math.Abs(p.X[0] - x[0]) < 1e-6 && Math.Abs(p.X[1] - x[1]) < 1e-6)) continue;
                found.Add(Classify(f, x));
            }
        return found.OrderBy(p => p.X[0]).ThenBy(p => p.X[1]).ToList();
    }

    /// <summary>Classifies the point <paramref name="x"/> by its Hessian's eigenvalues.</summary>
    public static StationaryPoint Classify(Objective f, double[] x)
    {
        var h = f.Hessian(x);
        double a = h[0], b = 0.5 * (h[1] + h[2]), d = h[3];
        double mid = (a + d) / 2, r = Math.Sqrt((a - d) * (a - d) / 4 + b * b);
        double l1 = mid - r, l2 = mid + r;
        double scale = Math.Max(1e-12, Math.Max(Math.Abs(l1), Math.Abs(l2)));
        var kind = Math.Abs(l1) < 1e-9 * scale || Math.Abs(l2) < 1e-9 * scale ? StationaryKind.Degenerate
            : l1 > 0 ? StationaryKind.Minimum : l2 < 0 ? StationaryKind.Maximum : StationaryKind.Saddle;
        return new StationaryPoint([Round(x[0]), Round(x[1])], Round(f.F(x)), [l1, l2], kind);
    }

    private static double Round(double v) => Math.Abs(v - Math.Round(v, 9)) < 1e-10 ? Math.Round(v, 9) + 0.0 : v;

    private static bool Newton(Objective f, double[] x)
    {
        for (int it = 0; it < 100; it++)
        {
            var g = f.Gradient(x);
            if (GradientDescent.Norm(g) < 1e-12) return true;
            var h = f.Hessian(x);
            double det = h[0] * h[3] - h[1] * h[2];
            if (Math.Abs(det) < 1e-14) return false;
            double dx = (h[3] * g[0] - h[1] * g[1]) / det, dy = (-h[2] * g[0] + h[0] * g[1]) / det;
            x[0] -= dx;
            x[1] -= dy;
            if (!double.IsFinite(x[0]) || !double.IsFinite(x[1]) || Math.Abs(x[0]) > 1e6) return false;
        }
        return GradientDescent.Norm(f.Gradient(x)) < 1e-9;
    }
}
