using System.Globalization;
using Descent.Init;
using Descent.Optim;

namespace Descent.Nn;

/// <summary>
/// One layer of a <see cref="LayerListSpec"/> in text form, <c>name[:values][,key=value…]</c>:
/// <list type="table">
/// <item><term>linear:W[,bias=true][,init=he]</term><description>Linear(in, W); without W the model's outputs (last layer only)</description></item>
/// <item><term>relu, tanh, sigmoid, gelu, elu[:α], leaky_relu[:a], identity</term><description>the activations</description></item>
/// <item><term>bn[:eps=1e-5,momentum=0.1]</term><description>BatchNorm1d over the current width; BatchNorm2d over the channels of [C, H, W]</description></item>
/// <item><term>dropout:P</term><description>Dropout(P)</description></item>
/// <item><term>flatten</term><description>Flatten: [C, H, W] → [C·H·W] (the input itself arrives flat, [batch, d])</description></item>
/// <item><term>conv, maxpool, avgpool, gap, adaptiveavgpool</term><description>convolution and pooling on [C, H, W]: see <c>LayerSpec.Spatial.cs</c></description></item>
/// <item><term>residual(LAYERS)</term><description>H(x) = F(x) + x, F the layers inside; a bias-free Linear projection of x when the width changes</description></item>
/// </list>
/// A new kind of layer is a record deriving from this one and a call to <see cref="Register"/> with its parser.
/// </summary>
public abstract partial record LayerSpec
{
    private static readonly Dictionary<string, Func<SpecText, LayerSpec>> Parsers = new();

    static LayerSpec()
    {
        Register(["linear", "dense"], s => LinearLayer.Parse(s));
        foreach (var name in Nn.Activation.Names.Where(n => n != "softmax"))
            Register([name], s => ActivationLayer.From(s.Text));
        Register(["bn", "batchnorm", "batchnorm1d", "bn2d", "batchnorm2d"], s =>
        {
            s.Accept("eps", "momentum");
            NoValues(s);
            return new BatchNormLayer(s.Double("eps", 1e-5), s.Double("momentum", 0.1));
        });
        Register(["dropout"], s =>
        {
            s.Accept();
            double p = s.Positional.Count == 1 && double.TryParse(s.Positional[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new ArgumentException($"'{s.Text}': expected dropout:P with P a probability, e.g. dropout:0.2.");
            return p >= 0 && p < 1 ? new DropoutLayer(p) : throw new ArgumentException($"'{s.Text}': P={p.ToString(CultureInfo.InvariantCulture)}; expected a probability in [0, 1).");
        });
        Register(["flatten"], s => { s.Accept(); NoValues(s); return new FlattenLayer(); });
        RegisterSpatial();
    }

    /// <summary>Makes <paramref name="names"/> parse with <paramref name="parser"/> (which throws ArgumentException on bad values).</summary>
    internal static void Register(IEnumerable<string> names, Func<SpecText, LayerSpec> parser)
    {
        foreach (var n in names) Parsers[n] = parser;
    }

    /// <summary>The names a layer list accepts.</summary>
    public static IReadOnlyList<string> Names => Parsers.Keys.Order(StringComparer.Ordinal).Append("residual(…)").ToArray();

    /// <summary>Parses one layer token of the model text <paramref name="model"/> (for messages).</summary>
    internal static LayerSpec Parse(string token, string model)
    {
        try
        {
            if (token.StartsWith("residual", StringComparison.OrdinalIgnoreCase) && token.EndsWith(')') && token.Contains('('))
            {
                var inner = token[(token.IndexOf('(') + 1)..^1];
                var body = SpecText.SplitTopLevel(inner, ' ').Select(t => Parse(t, model)).ToList();
                if (body.Count == 0) throw new ArgumentException($"'{token}': a residual block needs layers, e.g. residual(linear:128 relu).");
                if (body.Any(l => l is LinearLayer { Width: null })) throw new ArgumentException($"'{token}': every linear inside a residual block needs a width.");
                return new ResidualLayer(body);
            }
            var s = SpecText.Parse(token, "layer", positional: true);
            string name = s.Name.Replace('-', '_');
            if (!Parsers.TryGetValue(name, out var parser))
                throw new ArgumentException($"unknown layer '{s.Name}'; accepted: {string.Join(", ", Names)}.");
            return parser(s);
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("model '", StringComparison.Ordinal))
        {
            throw ModelSpec.Bad(model, e.Message.StartsWith("layer '", StringComparison.Ordinal) ? e.Message[6..] : e.Message);
        }
    }

    private static void NoValues(SpecText s)
    {
        if (s.Positional.Count > 0) throw new ArgumentException($"'{s.Text}': {s.Name} takes no value '{s.Positional[0]}'.");
    }

    /// <summary>The layer for the current input; updates <see cref="LayerBuild.Shape"/> to its output shape.</summary>
    public abstract Module Build(LayerBuild ctx);

    /// <summary>The canonical text.</summary>
    public abstract override string ToString();
}

/// <summary>What a layer needs to build: the random stream, dtype, the model's outputs and the shape flowing through.</summary>
/// <param name="Rng">Every random draw of the model, in layer order (dropout layers fork their own stream).</param>
/// <param name="DType">Element type of the weights.</param>
/// <param name="Outputs">Outputs of the model (classes or regression targets).</param>
/// <param name="Shape">The shape of one example entering the next layer (starts flat: [d]).</param>
/// <param name="ExampleShape">The data's shape of one example, e.g. [1, 28, 28], for layers that need it (conv).</param>
/// <param name="Model">The model's text, for messages.</param>
public sealed record LayerBuild(Rng Rng, DType DType, int Outputs, int[] Shape, int[] ExampleShape, string Model)
{
    /// <summary>The shape of one example entering the next layer.</summary>
    public int[] Shape { get; set; } = Shape;

    /// <summary>
    /// Set when a layer asked for an image (<see cref="Image"/>) while the input was still flat: the model then views its
    /// flat input as <see cref="ExampleShape"/> (<see cref="Sequential.InputShape"/>).
    /// </summary>
    public int[]? InputShape { get; private set; }

    /// <summary>
    /// The current shape as an image [C, H, W] for a convolution or pooling layer named <paramref name="layer"/>. The
    /// first such layer of a model meets the flat input and takes the data's example shape ([H, W] has one channel).
    /// </summary>
    public (int C, int H, int W) Image(string layer)
    {
        if (Shape is [var c, var h, var w]) return (c, h, w);
        bool untouched = Shape is [var d] && d == Descent.Shape.Numel(ExampleShape) && InputShape is null;
        int[]? image = ExampleShape switch { [_, _, _] => ExampleShape, [var eh, var ew] => [1, eh, ew], _ => null };
        if (!untouched || image is null)
            throw ModelSpec.Bad(Model, $"'{layer}' needs an image [channels, height, width], got {Descent.Shape.Format(Shape)}"
                + (untouched ? $" (the data's examples are {Descent.Shape.Format(ExampleShape)}, not images)." : "; convolution and pooling layers go before 'flatten' and 'linear'."));
        InputShape = image;
        Shape = (int[])image.Clone();
        return (image[0], image[1], image[2]);
    }

    /// <summary>The width of a flat shape; otherwise an error naming <paramref name="layer"/>.</summary>
    public int Width(string layer) => Shape is [var w] ? w
        : throw ModelSpec.Bad(Model, $"'{layer}' needs flat input [features], got {Descent.Shape.Format(Shape)}; put 'flatten' before it.");
}

/// <summary><c>linear:W[,bias=true][,init=he]</c>: Linear(in, W) (<see cref="Linear"/>); W null: the model's outputs.</summary>
public sealed record LinearLayer(int? Width, bool Bias = true, string? Init = null) : LayerSpec
{
    internal static LinearLayer Parse(SpecText s)
    {
        s.Accept("bias", "init");
        if (s.Positional.Count > 1) throw new ArgumentException($"'{s.Text}': linear takes one width, e.g. linear:128.");
        int? width = null;
        if (s.Positional.Count == 1)
            width = int.TryParse(s.Positional[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w > 0 ? w
                : throw new ArgumentException($"'{s.Text}': '{s.Positional[0]}' is not a width; expected a whole number ≥ 1, e.g. linear:128.");
        string? init = s.String("init", null);
        if (init is not null) CheckInit(init, $"'{s.Text}': ");
        return new LinearLayer(width, s.Bool("bias", true), init is "he" ? null : init);
    }

    /// <summary>Checks an initializer's text ("default" and "pytorch" mean PyTorch's Linear default); errors start with <paramref name="where"/>.</summary>
    internal static void CheckInit(string init, string where)
    {
        if (init is "default" or "pytorch") return;
        try { InitializerSpec.Parse(init); }
        catch (ArgumentException e) { throw new ArgumentException($"{where}init={init}: {e.Message}", e); }
    }

    /// <summary>The weight initializer: He by default, null for PyTorch's default.</summary>
    internal static Initializer? Initializer(string? init) => init switch
    {
        null => VarianceScaling.HeNormal(),
        "default" or "pytorch" => null,
        _ => InitializerSpec.Parse(init),
    };

    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx)
    {
        int input = ctx.Width(ToString()), output = Width ?? ctx.Outputs;
        var init = Initializer(Init);
        ctx.Shape = [output];
        return new Linear(input, output, ctx.Rng, Bias, init, init is null ? null : Descent.Init.Initializer.Zeros, ctx.DType);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var keys = new List<string>();
        if (Width is { } w) keys.Add(w.ToString(CultureInfo.InvariantCulture));
        if (!Bias) keys.Add("bias=false");
        if (Init is not null) keys.Add("init=" + (Init.Contains(',') ? $"({Init})" : Init));
        return keys.Count == 0 ? "linear" : "linear:" + string.Join(",", keys);
    }
}

/// <summary>An activation by name (<see cref="Activation.Create"/>): relu, tanh, sigmoid, gelu, identity, leaky_relu[:a], elu[:α].</summary>
public sealed record ActivationLayer(string Name) : LayerSpec
{
    /// <summary>Checks <paramref name="name"/> and puts it in canonical form (lower case, '_'); errors start with <paramref name="where"/>.</summary>
    internal static ActivationLayer From(string name, string where = "")
    {
        try { Nn.Activation.Create(name); }
        catch (ArgumentException e) { throw new ArgumentException(where + e.Message, e); }
        string n = name.Trim().ToLowerInvariant().Replace('-', '_');
        return new ActivationLayer(n == "leakyrelu" ? "leaky_relu" : n);
    }

    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx) => Nn.Activation.Create(Name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary><c>bn[:eps=1e-5,momentum=0.1]</c>: BatchNorm1d over the current width (<see cref="BatchNorm1d"/>), or BatchNorm2d over the channels of an image [C, H, W] (<see cref="BatchNorm2d"/>).</summary>
public sealed record BatchNormLayer(double Eps = 1e-5, double Momentum = 0.1) : LayerSpec
{
    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx) => ctx.Shape is [var c, _, _]
        ? new BatchNorm2d(c, Eps, Momentum, dtype: ctx.DType)
        : new BatchNorm1d(ctx.Width("bn"), Eps, Momentum, dtype: ctx.DType);

    /// <inheritdoc/>
    public override string ToString()
    {
        var keys = new List<string>();
        if (Eps != 1e-5) keys.Add("eps=" + Eps.ToString("R", CultureInfo.InvariantCulture));
        if (Momentum != 0.1) keys.Add("momentum=" + Momentum.ToString("R", CultureInfo.InvariantCulture));
        return keys.Count == 0 ? "bn" : "bn:" + string.Join(",", keys);
    }
}

/// <summary><c>dropout:P</c> (<see cref="Nn.Dropout"/>), with its own stream forked from the model's.</summary>
public sealed record DropoutLayer(double P) : LayerSpec
{
    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx) => new Dropout(P, ctx.Rng.Fork());

    /// <inheritdoc/>
    public override string ToString() => "dropout:" + P.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary><c>flatten</c> (<see cref="Nn.Flatten"/>): [batch, …] → [batch, Π …].</summary>
public sealed record FlattenLayer : LayerSpec
{
    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx) { ctx.Shape = [Shape.Numel(ctx.Shape)]; return new Flatten(); }

    /// <inheritdoc/>
    public override string ToString() => "flatten";
}

/// <summary><c>residual(LAYERS)</c>: H(x) = F(x) + x (<see cref="Nn.Residual"/>); a bias-free Linear projection of x when F changes the width.</summary>
/// <param name="Body">The layers of F; the projection is initialized as the first Linear among them.</param>
public sealed record ResidualLayer(IReadOnlyList<LayerSpec> Body) : LayerSpec
{
    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx)
    {
        int input = ctx.Width(ToString());
        var body = new Sequential();
        foreach (var layer in Body) body.Add(layer.Build(ctx));
        int output = ctx.Width(ToString());
        return Nn.Residual.WithProjection(body, input, output, ctx.Rng, ctx.DType, LinearLayer.Initializer(Body.OfType<LinearLayer>().FirstOrDefault()?.Init));
    }

    /// <inheritdoc/>
    public override string ToString() => $"residual({string.Join(" ", Body)})";

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(ResidualLayer? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
