namespace Descent.Init;

/// <summary>
/// The recommended gain for a nonlinearity, PyTorch's <c>torch.nn.init.calculate_gain</c> table:
/// linear, identity and sigmoid → 1; tanh → 5/3; relu → √2; leaky_relu with slope a → √(2/(1 + a²));
/// selu → 3/4. Xavier and He initializers multiply their standard deviation by it.
/// </summary>
public static class Gain
{
    /// <summary>The accepted nonlinearity names.</summary>
    public static readonly IReadOnlyList<string> Names = ["linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu"];

    /// <summary>PyTorch's <c>calculate_gain(nonlinearity, param)</c>; <paramref name="param"/> is leaky_relu's negative slope (default 0.01).</summary>
    public static double CalculateGain(string nonlinearity, double? param = null) => nonlinearity switch
    {
        "linear" or "identity" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + (param ?? 0.01) * (param ?? 0.01))),
        "selu" => 3.0 / 4.0,
        _ => throw new ArgumentException($"CalculateGain: unknown nonlinearity '{nonlinearity}'; expected one of {string.Join(", ", Names)}."),
    };
}
