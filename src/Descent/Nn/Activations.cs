namespace Descent.Nn;

/// <summary>y = x (<c>torch.nn.Identity</c>).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x;
}

/// <summary>σ(x) = 1/(1 + e^(−x)), σ' = σ(1 − σ) ≤ ¼ (<c>torch.nn.Sigmoid</c>).</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Sigmoid();
}

/// <summary>tanh(x), tanh' = 1 − tanh² ≤ 1, zero-centred (<c>torch.nn.Tanh</c>).</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Tanh();
}

/// <summary>max(0, x); derivative 1 for x &gt; 0, 0 otherwise (PyTorch takes 0 at x = 0) (<c>torch.nn.ReLU</c>).</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Relu();
}

/// <summary>x for x &gt; 0, a·x otherwise, a = 0.01 by default (<c>torch.nn.LeakyReLU</c>).</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module
{
    /// <summary>The slope a for x ≤ 0.</summary>
    public double NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.LeakyRelu(NegativeSlope);
}

/// <summary>x for x &gt; 0, α(eˣ − 1) otherwise, α = 1 by default (<c>torch.nn.ELU</c>).</summary>
public sealed class ELU(double alpha = 1.0) : Module
{
    /// <summary>α.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Elu(Alpha);
}

/// <summary>x·Φ(x) with the exact normal CDF (<c>torch.nn.GELU()</c>, approximate='none').</summary>
public sealed class GELU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Gelu();
}

/// <summary>softmax along <see cref="Axis"/> (<c>torch.nn.Softmax(dim)</c>); for training use the fused cross-entropy on logits instead.</summary>
public sealed class Softmax(int axis = -1) : Module
{
    /// <summary>The axis normalized over.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Softmax(Axis);
}

/// <summary>Activation modules by name, for the command line and <see cref="Mlp"/>.</summary>
public static class Activation
{
    /// <summary>The accepted names.</summary>
    public static readonly IReadOnlyList<string> Names = ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "identity", "softmax"];

    /// <summary>
    /// The activation named <paramref name="name"/> (case-insensitive; '-' = '_'); <c>leaky_relu:0.2</c> and <c>elu:0.5</c>
    /// set the slope or α. Unknown names throw ArgumentException listing <see cref="Names"/>.
    /// </summary>
    public static Module Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant().Replace('-', '_');
        double? arg = null;
        int colon = n.IndexOf(':');
        if (colon >= 0)
        {
            if (!double.TryParse(n[(colon + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v))
                throw new ArgumentException($"Activation '{name}': '{n[(colon + 1)..]}' is not a number.");
            arg = v; n = n[..colon];
            if (n is not ("leaky_relu" or "leakyrelu" or "elu")) throw new ArgumentException($"Activation '{name}': only leaky_relu and elu take an argument.");
        }
        return n switch
        {
            "relu" => new ReLU(),
            "tanh" => new Tanh(),
            "sigmoid" => new Sigmoid(),
            "leaky_relu" or "leakyrelu" => new LeakyReLU(arg ?? 0.01),
            "elu" => new ELU(arg ?? 1.0),
            "gelu" => new GELU(),
            "identity" or "linear" or "none" => new Identity(),
            "softmax" => new Softmax(),
            _ => throw new ArgumentException($"Activation '{name}' is unknown; expected one of {string.Join(", ", Names)}."),
        };
    }
}
