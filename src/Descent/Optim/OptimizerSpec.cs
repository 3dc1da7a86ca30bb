namespace Descent.Optim;

/// <summary>
/// An optimizer in text form, for the command line: <c>name:key=value,…</c>, e.g.
/// <c>adam:lr=1e-3,beta1=0.9,beta2=0.999</c> or <c>sgd:lr=0.1,momentum=0.9,nesterov=true</c>.
/// Keys are PyTorch's argument names; absent keys take PyTorch's defaults.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>sgd</term><description>lr=1e-3, momentum=0, dampening=0, nesterov=false, weight_decay=0</description></item>
/// <item><term>momentum</term><description>lr=1e-2, momentum=0.9, weight_decay=0 (the notes' v = m·v + γ·g, x ← x − v)</description></item>
/// <item><term>adagrad</term><description>lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10</description></item>
/// <item><term>rmsprop</term><description>lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false</description></item>
/// <item><term>adam</term><description>lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0, amsgrad=false</description></item>
/// <item><term>adamw</term><description>as adam, with weight_decay=1e-2 (decoupled)</description></item>
/// </list>
/// </remarks>
public sealed class OptimizerSpec
{
    private static readonly Dictionary<string, string[]> Keys = new()
    {
        ["sgd"] = ["lr", "momentum", "dampening", "nesterov", "weight_decay"],
        ["momentum"] = ["lr", "momentum", "weight_decay"],
        ["adagrad"] = ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
        ["rmsprop"] = ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
        ["adam"] = ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
        ["adamw"] = ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    };

    private readonly SpecText _spec;

    private OptimizerSpec(SpecText spec) { _spec = spec; }

    /// <summary>The accepted optimizer names.</summary>
    public static IReadOnlyList<string> Names => Keys.Keys.ToArray();

    /// <summary>Parses and checks <paramref name="text"/> (unknown names or keys: one line listing what is accepted).</summary>
    public static OptimizerSpec Parse(string text)
    {
        var spec = SpecText.Parse(text, "optimizer");
        if (!Keys.TryGetValue(spec.Name, out var keys))
            throw new ArgumentException($"Unknown optimizer '{spec.Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}.");
        spec.Accept(keys);
        var parsed = new OptimizerSpec(spec);
        // PyTorch takes these, but from the command line they are mistakes: a zero rate trains nothing, and a momentum
        // of 1 or more makes the velocity v ← μ·v + g grow without bound.
        if (!(parsed.LearningRate > 0 && double.IsFinite(parsed.LearningRate)))
            throw new ArgumentException($"optimizer '{text}': lr must be a finite number > 0, got {parsed.LearningRate}.");
        if (spec.Name is "sgd" or "momentum" or "rmsprop" && spec.Double("momentum", 0) is var mu && !(mu >= 0 && mu < 1))
            throw new ArgumentException($"optimizer '{text}': momentum must be in [0, 1), got {mu}.");
        try { parsed.Create([Tensor.Zeros(1)]); } // checks the values now, not at the first training step
        catch (ArgumentException e) when (!e.Message.StartsWith("optimizer '", StringComparison.Ordinal)) { throw new ArgumentException($"optimizer '{text}': {e.Message}", e); }
        return parsed;
    }

    /// <summary>The optimizer's name.</summary>
    public string Name => _spec.Name;

    /// <summary>The text it came from.</summary>
    public string Text => _spec.Text;

    /// <summary>The learning rate it sets (its default when the text has none).</summary>
    public double LearningRate => _spec.Double("lr", DefaultLr(Name));

    /// <summary>Builds the optimizer over <paramref name="parameters"/>.</summary>
    public Optimizer Create(IEnumerable<Tensor> parameters) => Create(new[] { new ParamGroup(parameters) });

    /// <summary>Builds the optimizer over parameter groups.</summary>
    public Optimizer Create(IReadOnlyList<ParamGroup> groups)
    {
        var s = _spec;
        double lr = LearningRate;
        return Name switch
        {
            "sgd" => new Sgd(groups, lr, s.Double("momentum", 0), s.Double("dampening", 0), s.Double("weight_decay", 0), s.Bool("nesterov", false)),
            "momentum" => new Momentum(groups, lr, s.Double("momentum", 0.9), s.Double("weight_decay", 0)),
            "adagrad" => new Adagrad(groups, lr, s.Double("lr_decay", 0), s.Double("weight_decay", 0), s.Double("initial_accumulator_value", 0), s.Double("eps", 1e-10)),
            "rmsprop" => new RmsProp(groups, lr, s.Double("alpha", 0.99), s.Double("eps", 1e-8), s.Double("weight_decay", 0), s.Double("momentum", 0), s.Bool("centered", false)),
            "adam" => new Adam(groups, lr, s.Double("beta1", 0.9), s.Double("beta2", 0.999), s.Double("eps", 1e-8), s.Double("weight_decay", 0), s.Bool("amsgrad", false)),
            "adamw" => new AdamW(groups, lr, s.Double("beta1", 0.9), s.Double("beta2", 0.999), s.Double("eps", 1e-8), s.Double("weight_decay", 1e-2), s.Bool("amsgrad", false)),
            _ => throw new InvalidOperationException(Name),
        };
    }

    private static double DefaultLr(string name) => name switch { "sgd" or "adam" or "adamw" => 1e-3, _ => 1e-2 };

    /// <inheritdoc/>
    public override string ToString() => Text;
}
