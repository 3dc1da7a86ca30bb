namespace Descent.Init;

/// <summary>
/// Fills a parameter tensor in place, as the <c>torch.nn.init.*_</c> functions do. Random initializers draw from
/// the <see cref="Rng"/> they are given, so a model built from a seed is reproducible.
/// </summary>
/// <remarks>
/// <paramref name="fans"/> overrides the fans computed from the tensor's shape (<see cref="Fans.Of"/>); layers pass
/// the weight's fans when they initialize a bias, which has only one dimension.
/// Presets: <see cref="Zeros"/>, <see cref="Constant"/>, <see cref="Normal"/>, <see cref="Uniform"/>,
/// <see cref="VarianceScaling"/> (Xavier/Glorot, He/Kaiming, LeCun, PyTorch's Linear default) and <see cref="Orthogonal"/>.
/// The text form for the command line is parsed by <see cref="Parse"/>.
/// </remarks>
public abstract class Initializer
{
    /// <summary>Fills <paramref name="tensor"/> (float32 or float64) in place and returns it.</summary>
    public abstract Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null);

    /// <summary>The canonical text form (what <see cref="Parse"/> reads back).</summary>
    public abstract override string ToString();

    /// <summary>All zeros (<c>nn.init.zeros_</c>).</summary>
    public static Initializer Zeros { get; } = new Constant(0);

    /// <summary>All ones (<c>nn.init.ones_</c>).</summary>
    public static Initializer Ones { get; } = new Constant(1);

    /// <summary>Parses the text form, e.g. <c>zeros</c>, <c>normal:0.01</c>, <c>uniform:-0.1,0.1</c>, <c>xavier</c>, <c>he</c>; see <see cref="InitializerSpec"/>.</summary>
    public static Initializer Parse(string text) => InitializerSpec.Parse(text);

    /// <summary>Fills a float32 or float64 tensor from a generator of doubles.</summary>
    protected static void FillEach(Tensor tensor, Func<double> next)
    {
        if (tensor.DType == DType.Float32) { var s = tensor.Floats; for (int i = 0; i < s.Length; i++) s[i] = (float)next(); }
        else { var s = tensor.Doubles; for (int i = 0; i < s.Length; i++) s[i] = next(); }
    }

    /// <summary>The fans to use: the override, else those of the tensor's shape.</summary>
    protected static (int FanIn, int FanOut) FansFor(Tensor tensor, (int FanIn, int FanOut)? fans) => fans ?? Fans.Of(tensor.Shape);

    /// <summary>Number formatting for <see cref="ToString"/>.</summary>
    protected static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Every element = <see cref="Value"/> (<c>nn.init.constant_</c>; zeros and ones are presets).</summary>
public sealed class Constant(double value) : Initializer
{
    /// <summary>The fill value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null) => tensor.Fill(Value);

    /// <inheritdoc/>
    public override string ToString() => Value == 0 ? "zeros" : Value == 1 ? "ones" : $"constant:{F(Value)}";
}

/// <summary>w ~ N(mean, std²), independent draws (<c>nn.init.normal_</c>; no truncation).</summary>
public sealed class Normal : Initializer
{
    /// <summary>Mean and standard deviation of the draws.</summary>
    public double Mean { get; }

    /// <inheritdoc cref="Mean"/>
    public double Std { get; }

    /// <summary>N(mean, std²); std must be ≥ 0.</summary>
    public Normal(double mean, double std)
    {
        if (!(std >= 0) || double.IsInfinity(std) || !double.IsFinite(mean))
            throw new ArgumentException($"Normal initializer: std must be a finite number ≥ 0 and mean finite, got mean {mean}, std {std}.");
        (Mean, Std) = (mean, std);
    }

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        if (tensor.DType == DType.Float32) rng.FillNormal(tensor.Floats, Mean, Std); else rng.FillNormal(tensor.Doubles, Mean, Std);
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => Mean == 0 ? $"normal:{F(Std)}" : $"normal:{F(Mean)},{F(Std)}";
}

/// <summary>w ~ U(a, b), independent draws (<c>nn.init.uniform_</c>).</summary>
public sealed class Uniform : Initializer
{
    /// <summary>The bounds a ≤ b.</summary>
    public double Low { get; }

    /// <inheritdoc cref="Low"/>
    public double High { get; }

    /// <summary>U(low, high); low must not exceed high.</summary>
    public Uniform(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
            throw new ArgumentException($"Uniform initializer: needs finite bounds with low ≤ high, got [{low}, {high}].");
        (Low, High) = (low, high);
    }

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        if (tensor.DType == DType.Float32) rng.FillUniform(tensor.Floats, Low, High); else rng.FillUniform(tensor.Doubles, Low, High);
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => $"uniform:{F(Low)},{F(High)}";
}
