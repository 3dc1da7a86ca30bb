namespace Descent.Init;

/// <summary>Which fan a <see cref="VarianceScaling"/> initializer divides by.</summary>
public enum FanMode
{
    /// <summary>fan_in: preserves the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary>fan_out: preserves the variance of gradients in the backward pass.</summary>
    FanOut,
    /// <summary>(fan_in + fan_out)/2: Glorot's compromise.</summary>
    FanAvg,
}

/// <summary>The distribution a <see cref="VarianceScaling"/> initializer draws from.</summary>
public enum ScalingDistribution
{
    /// <summary>N(0, σ²), untruncated (PyTorch's; Keras' <c>truncated_normal</c> differs).</summary>
    Normal,
    /// <summary>U(−√3σ, √3σ), whose variance is σ².</summary>
    Uniform,
}

/// <summary>
/// The one core of Xavier/Glorot, He/Kaiming and LeCun initialization (Keras' <c>VarianceScaling</c>):
/// Var(w) = σ² = scale / n with n = fan_in, fan_out or (fan_in + fan_out)/2; the draw is N(0, σ²) or U(±√(3·scale/n)).
/// </summary>
/// <remarks>
/// Presets (gain g from <see cref="Gain.CalculateGain"/>):
/// <list type="bullet">
/// <item>Xavier/Glorot (Glorot and Bengio 2010): scale = g², fan_avg → σ = g·√(2/(fan_in + fan_out)), bound g·√(6/(fan_in + fan_out)).</item>
/// <item>He/Kaiming (He et al. 2015): g = √(2/(1 + a²)), scale = g², fan_in (or fan_out) → σ = √2/√fan_in for ReLU.</item>
/// <item>LeCun (LeCun et al. 1998): scale = 1, fan_in → σ = 1/√fan_in.</item>
/// <item>PyTorch's Linear/Conv default: kaiming_uniform with a = √5, i.e. scale = 1/3, fan_in, uniform → U(±1/√fan_in);
/// the bias uses the same bound with the weight's fan_in.</item>
/// </list>
/// PyTorch's kaiming_* take the gain from the nonlinearity and default to leaky_relu with a = 0 (= relu); Keras' he_*
/// always use scale 2. Keras' normal presets draw from a truncated normal; ours, like PyTorch's, do not truncate.
/// </remarks>
public sealed class VarianceScaling : Initializer
{
    private readonly string _text;

    /// <summary>The variance numerator (σ² = scale / fan).</summary>
    public double Scale { get; }

    /// <summary>Which fan σ² is divided by.</summary>
    public FanMode Mode { get; }

    /// <summary>Normal or uniform draws.</summary>
    public ScalingDistribution Distribution { get; }

    /// <summary>A variance-scaling initializer; <paramref name="text"/> is its text form (for <see cref="ToString"/>).</summary>
    public VarianceScaling(double scale, FanMode mode, ScalingDistribution distribution, string? text = null)
    {
        if (!(scale > 0) || double.IsInfinity(scale))
            throw new ArgumentException($"VarianceScaling: scale must be a finite number > 0, got {scale}.");
        (Scale, Mode, Distribution) = (scale, mode, distribution);
        _text = text ?? $"variance-scaling:{F(scale)},{mode},{distribution}";
    }

    /// <summary>The standard deviation σ = √(scale / n) for a tensor with these fans.</summary>
    public double StdFor(int fanIn, int fanOut)
    {
        double n = Mode switch { FanMode.FanIn => fanIn, FanMode.FanOut => fanOut, _ => (fanIn + fanOut) / 2.0 };
        if (!(n > 0)) throw new ArgumentException($"VarianceScaling: the {Mode} fan must be > 0, got {n} (fan_in {fanIn}, fan_out {fanOut}).");
        return Math.Sqrt(Scale / n);
    }

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        var (fi, fo) = FansFor(tensor, fans);
        double std = StdFor(fi, fo);
        if (Distribution == ScalingDistribution.Normal)
        {
            if (tensor.DType == DType.Float32) rng.FillNormal(tensor.Floats, 0, std); else rng.FillNormal(tensor.Doubles, 0, std);
        }
        else
        {
            double bound = Math.Sqrt(3.0) * std;
            if (tensor.DType == DType.Float32) rng.FillUniform(tensor.Floats, -bound, bound); else rng.FillUniform(tensor.Doubles, -bound, bound);
        }
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => _text;

    /// <summary>Xavier/Glorot uniform: U(±g·√(6/(fan_in + fan_out))) (<c>nn.init.xavier_uniform_</c>).</summary>
    public static VarianceScaling XavierUniform(double gain = 1.0) =>
        new(gain * gain, FanMode.FanAvg, ScalingDistribution.Uniform, gain == 1 ? "xavier" : $"xavier:{F(gain)}");

    /// <summary>Xavier/Glorot normal: N(0, g²·2/(fan_in + fan_out)) (<c>nn.init.xavier_normal_</c>).</summary>
    public static VarianceScaling XavierNormal(double gain = 1.0) =>
        new(gain * gain, FanMode.FanAvg, ScalingDistribution.Normal, gain == 1 ? "xavier-normal" : $"xavier-normal:{F(gain)}");

    /// <summary>He/Kaiming normal: N(0, g²/fan) with g = CalculateGain(nonlinearity, a) (<c>nn.init.kaiming_normal_</c>).</summary>
    public static VarianceScaling HeNormal(double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu") =>
        He(a, mode, nonlinearity, ScalingDistribution.Normal, "he");

    /// <summary>He/Kaiming uniform: U(±g·√(3/fan)) (<c>nn.init.kaiming_uniform_</c>).</summary>
    public static VarianceScaling HeUniform(double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu") =>
        He(a, mode, nonlinearity, ScalingDistribution.Uniform, "he-uniform");

    private static VarianceScaling He(double a, FanMode mode, string nonlinearity, ScalingDistribution d, string name)
    {
        if (mode == FanMode.FanAvg) throw new ArgumentException("He initialization: mode must be fan_in or fan_out, got fan_avg.");
        double g = Gain.CalculateGain(nonlinearity, a);
        string text = name + (mode == FanMode.FanOut ? ":fan_out" : "") + (a != 0 ? (mode == FanMode.FanOut ? "," : ":fan_in,") + F(a) : "");
        if (nonlinearity != "leaky_relu" && nonlinearity != "relu") text = $"variance-scaling:{F(g * g)},{mode},{d}";
        return new VarianceScaling(g * g, mode, d, text);
    }

    /// <summary>LeCun normal: N(0, 1/fan_in) (SELU's initializer).</summary>
    public static VarianceScaling LecunNormal() => new(1.0, FanMode.FanIn, ScalingDistribution.Normal, "lecun");

    /// <summary>LeCun uniform: U(±√(3/fan_in)).</summary>
    public static VarianceScaling LecunUniform() => new(1.0, FanMode.FanIn, ScalingDistribution.Uniform, "lecun-uniform");

    /// <summary>PyTorch's default for Linear and Conv weights and biases: kaiming_uniform(a = √5) = U(±1/√fan_in).</summary>
    public static VarianceScaling TorchDefault() => new(1.0 / 3.0, FanMode.FanIn, ScalingDistribution.Uniform, "torch");
}
