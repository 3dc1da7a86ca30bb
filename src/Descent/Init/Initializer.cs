namespace Descent.Init;

/// <summary>
/// Fills a parameter tensor in place, as the <c>torch.nn.init.*_</c> functions do. Random initializers draw from
/// the <see cref="Rng"/> they are given, so a model built from a seed is reproducible.
/// </summary>
/// <remarks>
/// The <c>fans</c> argument of <c>Initialize</c> overrides the fans computed from the tensor's shape (<see cref="Fans.Of"/>); layers pass
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
