using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// Builds a multilayer perceptron as a <see cref="Sequential"/> with PyTorch-style names: for widths
/// [d₀, d₁, …, d_L] each hidden layer is Linear(dₗ₋₁, dₗ) [→ BatchNorm1d(dₗ)] → activation [→ Dropout(p)],
/// and the last layer is a bare Linear(d_{L−1}, d_L) producing logits. Children are numbered 0, 1, 2, … in that order,
/// e.g. 784-256-10 with ReLU: <c>0</c> Linear, <c>1</c> ReLU, <c>2</c> Linear.
/// </summary>
public static class Mlp
{
    /// <summary>
    /// The MLP; <paramref name="init"/> initializes every Linear weight (biases then start at zero), or null for PyTorch's
    /// default (weights and biases U(±1/√fan_in)). With batch norm the Linear layers before it have no bias (β replaces it).
    /// All random draws come from <paramref name="rng"/> (dropout layers get forked streams), so a seed fixes the model.
    /// </summary>
    public static Sequential Create(int[] widths, string activation, Initializer? init, bool batchNorm, double dropout, Rng rng, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Build(widths, activation, init, batchNorm, dropout, rng, dtype);
    }

    /// <summary>
    /// The MLP <paramref name="inputs"/> → <paramref name="hidden"/>… → <paramref name="outputs"/>, with named arguments and
    /// PyTorch's defaults: <c>Mlp.Create(inputs: 4, hidden: [16], outputs: 3)</c> is Linear(4, 16) → ReLU → Linear(16, 3).
    /// </summary>
    /// <param name="inputs">Features per example.</param>
    /// <param name="hidden">Widths of the hidden layers (empty: a linear model).</param>
    /// <param name="outputs">Classes (logits) or regression targets.</param>
    /// <param name="activation">The hidden layers' activation by name: relu, leaky_relu, elu, gelu, tanh, sigmoid.</param>
    /// <param name="init">The Linear weights' initializer (null: PyTorch's default).</param>
    /// <param name="batchNorm">Batch norm after each hidden Linear.</param>
    /// <param name="dropout">Dropout probability after each hidden activation (0: none).</param>
    /// <param name="rng">The generator of every random draw (null: forked from the process-wide source, <see cref="Rng.FromGlobal"/>).</param>
    /// <param name="dtype">The parameters' element type.</param>
    public static Sequential Create(int inputs, int[] hidden, int outputs, string activation = "relu", Initializer? init = null,
        bool batchNorm = false, double dropout = 0, Rng? rng = null, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return Build([inputs, .. hidden, outputs], activation, init, batchNorm, dropout, rng ?? Rng.FromGlobal(), dtype);
    }

    private static Sequential Build(int[] widths, string activation, Initializer? init, bool batchNorm, double dropout, Rng rng, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(rng);
        if (widths.Length < 2) throw new ArgumentException($"Mlp: needs at least an input and an output width, got [{string.Join(", ", widths)}].");
        if (widths.Any(w => w <= 0)) throw new ArgumentException($"Mlp: widths must be > 0, got [{string.Join(", ", widths)}].");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"Mlp: dropout must be in [0, 1), got {dropout}.");
        Activation.Create(activation);                                         // validates the name early
        var model = new Sequential();
        for (int l = 1; l < widths.Length; l++)
        {
            bool hidden = l < widths.Length - 1;
            bool bias = !(hidden && batchNorm);
            model.Add(new Linear(widths[l - 1], widths[l], rng, bias, init, init is null ? null : Initializer.Zeros, dtype));
            if (!hidden) break;
            if (batchNorm) model.Add(new BatchNorm1d(widths[l], dtype: dtype));
            model.Add(Activation.Create(activation));
            if (dropout > 0) model.Add(new Dropout(dropout, rng.Fork()));
        }
        return model;
    }
}
