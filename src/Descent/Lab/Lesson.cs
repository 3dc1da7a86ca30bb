namespace Descent.Lab;

/// <summary>
/// What a chapter of the notes says in the lab's report: its heading, formula and lesson. One copy, shown by the static
/// report (<c>descent lab …</c> → <c>out/lab/index.html</c>) and by the interactive lab of <c>descent serve</c>.
/// </summary>
/// <param name="Id">Section key (and the lab page's name).</param>
/// <param name="Chapter">The chapter of the notes, numbered as the report orders them.</param>
/// <param name="Title">The section's heading.</param>
/// <param name="Formula">The formula, as text.</param>
/// <param name="Text">The lesson.</param>
internal sealed record Lesson(string Id, string Chapter, string Title, string Formula, string Text)
{
    /// <summary>Gradient descent on the notes' functions.</summary>
    public static Lesson Descend { get; } = new("descend", "1 Gradient descent", "Gradient descent on the notes' functions",
        "x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ∇f(x⁽ᵗ⁾)", DescendLab.Lesson);

    /// <summary>The optimizer races (the lesson joins each default race's lesson).</summary>
    public static Lesson Optimizers { get; } = new("optimizers", "2 Optimizers", "Optimizer races: one rule picks every learning rate",
        "SGD x ← x − α∇f · Momentum v ← βv + α∇f, x ← x − v · RMSprop x ← x − α∇f/√(E[g²] + ε) · Adam x ← x − α m̂/(√v̂ + ε)",
        string.Join(" ", OptimizersLab.DefaultRaces().Select(r => $"{r.Name}: {r.Lesson}")));

    /// <summary>Learning-rate decay.</summary>
    public static Lesson Schedules { get; } = new("schedules", "3 Learning-rate decay", "Learning-rate decay",
        "α = α₀/(1 + k·epoch) · α = 0.95^epoch·α₀ · α = k/√epoch·α₀ or k/√t·α₀", SchedulesLab.Lesson);

    /// <summary>Vanishing and exploding gradients.</summary>
    public static Lesson Vanishing { get; } = new("vanishing", "4 Vanishing and exploding gradients", "Vanishing and exploding gradients, plain and residual",
        "ΔW₁ = [(y − ŷ)f′₄(h₄)][W₃ᵀf′₃(h₃)][W₂ᵀf′₂(h₂)][W₁ᵀf′₁(h₁)]x · sigmoid′ ≤ 1/4 ⇒ 0.25¹⁰⁰ ≈ 0 · residual H(x) = F(x) + x",
        "The first layer's gradient is a product of one factor Wᵀf′ per layer above it: with the sigmoid (f′ ≤ 1/4) it vanishes geometrically, as the notes say. " +
        "A residual block adds the identity, ∂H/∂x = I + ∂F/∂x, which carries the gradient back, but with full-size branches every block also adds variance " +
        "and deep stacks explode instead; scaling each branch by 1/√depth keeps the ratio near 1.");

    /// <summary>Activations at initialization.</summary>
    public static Lesson Init { get; } = new("init", "5 Weight initialization", "Activations at initialization",
        "Var(y) = n·Var(w)·Var(x) · Xavier Var(w) = 2/(n_in + n_out), U(±√(6/(n_in + n_out))) · He Var(w) = 2/n_in",
        "Each layer multiplies the variance of its outputs by n·Var(w) (times ½ for ReLU, which zeroes half its inputs): below 1 the signal collapses " +
        "layer after layer, above 1 it grows until tanh saturates. Xavier sets n·Var(w) = 1 for tanh; He doubles it for ReLU.");

    /// <summary>Batch normalization.</summary>
    public static Lesson BatchNorm { get; } = new("batchnorm", "6 Batch normalization", "Batch normalization rescues bad initializations",
        "μ_B = (1/m)Σxᵢ, σ²_B = (1/m)Σ(xᵢ − μ_B)², x̂ = (x − μ_B)/√(σ²_B + ε), y = γx̂ + β",
        "Batch norm forces every layer's pre-activations to zero mean and unit spread on each mini-batch, so the weights' scale no longer decides whether " +
        "the signal collapses (std 0.01) or saturates (std 1); γ and β are learned, and at test time running averages of μ and σ² replace the batch's.");

    /// <summary>The chapters of the interactive lab, in the report's order.</summary>
    public static IReadOnlyList<Lesson> Chapters { get; } = [Descend, Optimizers, Schedules, Vanishing, Init, BatchNorm];

    /// <summary>This lesson for a run with non-default options: the key and heading carry the variant (e.g. "-depth-20").</summary>
    public Lesson WithVariant(string variant) =>
        variant.Length == 0 ? this : this with { Id = Id + variant, Title = $"{Title} ({variant[1..]})" };
}
