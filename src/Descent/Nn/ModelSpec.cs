using System.Globalization;
using Descent.Optim;

namespace Descent.Nn;

/// <summary>
/// A model in text form, for the command line and checkpoints, parsed like the optimizer's (<see cref="OptimizerSpec"/>):
/// the MLP shorthand <c>mlp:256,128,act=tanh,bn=true,dropout=0.2</c> (<see cref="MlpSpec"/>), the convolutional network
/// shorthand <c>cnn:32,64,fc=128</c> (<see cref="CnnSpec"/>) or a layer list
/// <c>linear:256 bn relu dropout:0.2 linear</c> (<see cref="LayerListSpec"/>, layers in <see cref="LayerSpec"/>).
/// <see cref="Build"/> makes a <see cref="Sequential"/> with PyTorch's state-dict names; <see cref="ToString"/> gives the
/// canonical text, which <see cref="Parse"/> reads back to an equal spec.
/// </summary>
/// <remarks>The input width and the number of outputs come from the data, so a spec fits any data set.</remarks>
public abstract record ModelSpec
{
    /// <summary>Parses <paramref name="text"/>; errors are one line that quotes the text and the bad part.</summary>
    public static ModelSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Length == 0) throw new ArgumentException("Empty model: expected e.g. 'mlp:256,128' or a layer list 'linear:128 relu linear'.");
        string head = t.Split(':', 2)[0].Trim().ToLowerInvariant();
        return head switch
        {
            "mlp" => MlpSpec.ParseMlp(t),
            "cnn" => CnnSpec.ParseCnn(t),
            _ => LayerListSpec.ParseList(t),
        };
    }

    /// <summary>The same model as a layer list (what <see cref="Build"/> builds).</summary>
    public abstract LayerListSpec Layers { get; }

    /// <summary>
    /// The model for examples of <paramref name="exampleShape"/> (the input arrives flat, [batch, Π shape]) and
    /// <paramref name="outputs"/> outputs (classes, or regression targets); every random draw comes from <paramref name="rng"/>.
    /// </summary>
    public Sequential Build(int[] exampleShape, int outputs, Rng rng, DType dtype = DType.Float32) => Layers.BuildList(exampleShape, outputs, rng, dtype);

    /// <summary>The training settings this kind of model is known to train well with (<see cref="Training.TrainingRecipe"/>), or null.</summary>
    internal virtual Training.TrainingRecipe? Recipe => null;

    /// <summary>Error message prefix: <c>model 'TEXT': </c>.</summary>
    internal static ArgumentException Bad(string text, string why) => new($"model '{text}': {why}");
}

/// <summary>
/// The multilayer perceptron shorthand: <c>mlp:W1,W2,…[,act=relu][,bn=false][,dropout=0][,residual=false][,init=he]</c>;
/// a width may be <c>WxN</c> for N layers of width W (<c>mlp:512x4</c>). Each hidden layer is Linear [→ BatchNorm1d]
/// → activation [→ Dropout] (the Linear has no bias before batch norm, β takes its place), the last a bare Linear to the
/// outputs, as <c>Mlp.Create</c>. With <c>residual=true</c> each hidden layer is a block H(x) = F(x) + x, with a
/// bias-free Linear projection of x when the width changes (<see cref="Residual.WithProjection"/>). <c>init</c> is an
/// <see cref="Init.InitializerSpec"/> for the Linear weights (biases start at 0); <c>init=default</c> is PyTorch's default.
/// Values holding commas go in parentheses: <c>init=(uniform:-0.1,0.1)</c>.
/// </summary>
public sealed record MlpSpec : ModelSpec
{
    /// <summary>Hidden widths (none: a single Linear layer).</summary>
    public int[] Hidden { get; init; } = [];

    /// <summary>Activation of the hidden layers (see <see cref="Activation.Names"/>).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>BatchNorm1d before each hidden activation.</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Dropout probability after each hidden activation.</summary>
    public double Dropout { get; init; }

    /// <summary>Hidden layers as residual blocks.</summary>
    public bool Residual { get; init; }

    /// <summary>Initializer of the Linear weights, as text.</summary>
    public string Init { get; init; } = "he";

    private static readonly string[] Keys = ["act", "bn", "dropout", "residual", "init"];

    internal static MlpSpec ParseMlp(string text)
    {
        var s = SpecText.Parse(text, "model", positional: true);
        s.Accept(Keys);
        var widths = new List<int>();
        foreach (var w in s.Positional)
        {
            var parts = w.ToLowerInvariant().Split('x');
            if (parts.Length > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0))
                throw Bad(text, $"'{w}' is not a width; expected a whole number ≥ 1 or WIDTHxCOUNT, e.g. mlp:256,128 or mlp:512x4.");
            int width = int.Parse(parts[0], CultureInfo.InvariantCulture), count = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1;
            if ((long)widths.Count + count > 10_000) throw Bad(text, $"'{w}' asks for more than 10000 layers.");
            widths.AddRange(Enumerable.Repeat(width, count));
        }
        var spec = new MlpSpec
        {
            Hidden = [.. widths],
            Activation = s.String("act", "relu")!,
            BatchNorm = s.Bool("bn", false),
            Dropout = s.Double("dropout", 0),
            Residual = s.Bool("residual", false),
            Init = s.String("init", "he")!,
        };
        return spec.Checked(text);
    }

    /// <summary>Checks every value (as <see cref="ModelSpec.Parse"/> does); returns this spec, with the activation in canonical form.</summary>
    public MlpSpec Checked() => Checked(ToString());

    private MlpSpec Checked(string text)
    {
        if (Hidden.Any(w => w < 1)) throw Bad(text, $"hidden widths must be ≥ 1, got {string.Join(",", Hidden)}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw Bad(text, $"dropout={Dropout.ToString(CultureInfo.InvariantCulture)}; expected a probability in [0, 1).");
        ActivationLayer act;
        try
        {
            act = ActivationLayer.From(Activation, $"act={Activation}: ");
            LinearLayer.CheckInit(Init, "");
        }
        catch (ArgumentException e) { throw Bad(text, e.Message); }
        return this with { Activation = act.ToString() };
    }

    /// <inheritdoc/>
    public override LayerListSpec Layers
    {
        get
        {
            var layers = new List<LayerSpec>();
            string? init = Init == "he" ? null : Init;
            foreach (int w in Hidden)
            {
                var block = new List<LayerSpec> { new LinearLayer(w, Bias: !BatchNorm, Init: init) };
                if (BatchNorm) block.Add(new BatchNormLayer());
                block.Add(ActivationLayer.From(Activation));
                if (Dropout > 0) block.Add(new DropoutLayer(Dropout));
                if (Residual) layers.Add(new ResidualLayer(block)); else layers.AddRange(block);
            }
            layers.Add(new LinearLayer(null, Init: init));
            return new LayerListSpec(layers);
        }
    }

    /// <summary>The canonical text: widths (runs as WxN), then the keys that differ from their defaults.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        for (int i = 0; i < Hidden.Length;)
        {
            int j = i;
            while (j < Hidden.Length && Hidden[j] == Hidden[i]) j++;
            parts.Add(j - i == 1 ? Hidden[i].ToString(CultureInfo.InvariantCulture) : $"{Hidden[i].ToString(CultureInfo.InvariantCulture)}x{(j - i).ToString(CultureInfo.InvariantCulture)}");
            i = j;
        }
        if (Activation != "relu") parts.Add("act=" + Activation);
        if (BatchNorm) parts.Add("bn=true");
        if (Dropout != 0) parts.Add("dropout=" + Dropout.ToString("R", CultureInfo.InvariantCulture));
        if (Residual) parts.Add("residual=true");
        if (Init != "he") parts.Add("init=" + (Init.Contains(',') ? $"({Init})" : Init));
        return parts.Count == 0 ? "mlp" : "mlp:" + string.Join(",", parts);
    }

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(MlpSpec? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// A model as a list of layers separated by spaces, e.g. <c>linear:256 bn relu dropout:0.2 linear:128 relu linear</c>
/// or <c>residual(linear:128 relu) linear</c>; a <c>linear</c> without a width ends the list and has one output per
/// class (or regression target). The layers and their keys are in <see cref="LayerSpec"/>; the widths flow from the data.
/// </summary>
public sealed record LayerListSpec(IReadOnlyList<LayerSpec> List) : ModelSpec
{
    internal static LayerListSpec ParseList(string text)
    {
        var tokens = SpecText.SplitTopLevel(text, ' ');
        if (tokens.Count == 0) throw Bad(text, "no layers; expected e.g. 'linear:128 relu linear'.");
        var layers = tokens.Select(t => LayerSpec.Parse(t, text)).ToList();
        var spec = new LayerListSpec(layers);
        spec.CheckEnd(text);
        return spec;
    }

    private void CheckEnd(string text)
    {
        for (int i = 0; i < List.Count - 1; i++)
            if (List[i] is LinearLayer { Width: null })
                throw Bad(text, $"'linear' without a width (one output per class or target) must be the last layer; give layer {i + 1} a width, e.g. linear:128.");
        if (List[^1] is not LinearLayer)
            throw Bad(text, $"the last layer is '{List[^1]}'; end with 'linear' (one output per class or target) so the model has the data's outputs.");
    }

    /// <inheritdoc/>
    public override LayerListSpec Layers => this;

    internal Sequential BuildList(int[] exampleShape, int outputs, Rng rng, DType dtype)
    {
        string text = ToString();
        CheckEnd(text);
        if (outputs < 1) throw Bad(text, $"the data has {outputs} outputs.");
        var ctx = new LayerBuild(rng, dtype, outputs, [Shape.Numel(exampleShape)], exampleShape, text);
        var model = new Sequential();
        foreach (var layer in List) model.Add(layer.Build(ctx));
        model.InputShape = ctx.InputShape;
        if (ctx.Shape is not [var last] || last != outputs)
            throw Bad(text, $"the model ends with output shape {Shape.Format(ctx.Shape)}; the data needs [{outputs}].");
        return model;
    }

    /// <summary>The canonical text: the layers' texts separated by spaces.</summary>
    public override string ToString() => string.Join(" ", List);

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(LayerListSpec? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
