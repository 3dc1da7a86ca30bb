using System.Globalization;

namespace Descent.Lab;

/// <summary>
/// An optimizer of the race and the settings it may be run with: every learning rate of the grid
/// α ∈ {1, 1.5, 2, 3, 5, 7}×10ᵏ (10⁻⁴ … 3) and, for the momentum methods, β ∈ {0.5, 0.9}. Other hyper-parameters keep
/// PyTorch's defaults (Adam β₁ = 0.9, β₂ = 0.999, ε = 1e-8; RMSprop ρ = 0.99).
/// </summary>
/// <param name="Name">Display name.</param>
/// <param name="Rule">The update rule in one line (for legends and the report).</param>
/// <param name="Specs">The optimizer text forms to try.</param>
internal sealed record OptimizerFamily(string Name, string Rule, IReadOnlyList<string> Specs)
{
    /// <summary>The learning-rate grid.</summary>
    public static IReadOnlyList<double> Rates { get; } =
        Enumerable.Range(-4, 5).SelectMany(k => new[] { 1.0, 1.5, 2, 3, 5, 7 }.Select(m => Math.Round(m * Math.Pow(10, k), 6))).Where(a => a <= 3.0001).ToList();

    /// <summary>Momentum coefficients tried.</summary>
    public static IReadOnlyList<double> Betas { get; } = [0.5, 0.9];

    /// <summary>SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam, in the order (and palette colours) of every figure.</summary>
    public static IReadOnlyList<OptimizerFamily> All { get; } =
    [
        Plain("SGD", "x ← x − α∇f", "sgd"),
        WithBeta("Momentum", "v ← βv + α∇f, x ← x − v", "momentum", ""),
        WithBeta("Nesterov", "v ← βv + ∇f(x), x ← x − α(∇f + βv)", "sgd", ",nesterov=true"),
        Plain("Adagrad", "x ← x − α∇f/(√Σg² + ε)", "adagrad"),
        Plain("RMSprop", "x ← x − α∇f/(√E[g²] + ε)", "rmsprop"),
        Plain("Adam", "x ← x − α m̂/(√v̂ + ε)", "adam"),
    ];

    private static OptimizerFamily Plain(string name, string rule, string spec) =>
        new(name, rule, Rates.Select(a => $"{spec}:lr={G(a)}").ToList());

    private static OptimizerFamily WithBeta(string name, string rule, string spec, string extra) =>
        new(name, rule, Betas.SelectMany(b => Rates.Select(a => $"{spec}:lr={G(a)},momentum={G(b)}{extra}")).ToList());

    /// <summary>The settings of a text form in the notes' symbols, e.g. "α = 0.5, β = 0.9".</summary>
    public static string Settings(string spec)
    {
        var parts = spec[(spec.IndexOf(':') + 1)..].Split(',').Select(p => p.Split('=')).Where(p => p.Length == 2).ToList();
        return string.Join(", ", parts.Where(p => p[0] is "lr" or "momentum").Select(p => (p[0] == "lr" ? "α" : "β") + " = " + p[1]));
    }

    private static string G(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
