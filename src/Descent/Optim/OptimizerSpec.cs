using System.Globalization;

namespace Descent.Optim;

/// <summary>
/// An optimizer in text form, for the command line: <c>name:key=value,…</c>, e.g.
/// <c>adam:lr=1e-3,beta1=0.9,beta2=0.999</c> or <c>sgd:lr=0.1,momentum=0.9,nesterov=true</c>, parsed into this record.
/// Keys are PyTorch's argument names; absent keys (null here) take PyTorch's defaults. Change it with
/// <c>spec with { Lr = 0.1 }</c>; <see cref="ToString"/> gives the canonical text (the given keys, in the order below).
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
public sealed record OptimizerSpec
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

    /// <summary>An optimizer named <paramref name="name"/> with every key at its default.</summary>
    public OptimizerSpec(string name) { Name = name; }

    /// <summary>The accepted optimizer names.</summary>
    public static IReadOnlyList<string> Names => Keys.Keys.ToArray();

    /// <summary>The optimizer's name (sgd, momentum, adagrad, rmsprop, adam, adamw).</summary>
    public string Name { get; init; }

    /// <summary>Keys of the text form (null: the default).</summary>
    public double? Lr { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Momentum { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Dampening { get; init; }
    /// <inheritdoc cref="Lr"/>
    public bool? Nesterov { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? WeightDecay { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? LrDecay { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? InitialAccumulatorValue { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Eps { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Alpha { get; init; }
    /// <inheritdoc cref="Lr"/>
    public bool? Centered { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Beta1 { get; init; }
    /// <inheritdoc cref="Lr"/>
    public double? Beta2 { get; init; }
    /// <inheritdoc cref="Lr"/>
    public bool? Amsgrad { get; init; }

    /// <summary>Parses and checks <paramref name="text"/> (unknown names or keys: one line listing what is accepted).</summary>
    public static OptimizerSpec Parse(string text)
    {
        var s = SpecText.Parse(text, "optimizer");
        if (!Keys.TryGetValue(s.Name, out var keys))
            throw new ArgumentException($"Unknown optimizer '{s.Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}.");
        s.Accept(keys);
        double? D(string k) => s.Has(k) ? s.Double(k, 0) : null;
        bool? B(string k) => s.Has(k) ? s.Bool(k, false) : null;
        var parsed = new OptimizerSpec(s.Name)
        {
            Lr = D("lr"), Momentum = D("momentum"), Dampening = D("dampening"), Nesterov = B("nesterov"), WeightDecay = D("weight_decay"),
            LrDecay = D("lr_decay"), InitialAccumulatorValue = D("initial_accumulator_value"), Eps = D("eps"), Alpha = D("alpha"),
            Centered = B("centered"), Beta1 = D("beta1"), Beta2 = D("beta2"), Amsgrad = B("amsgrad"),
        };
        parsed.Validate(text);
        return parsed;
    }

    /// <summary>Checks the name, that every given key belongs to it, and the values (by building the optimizer once).</summary>
    public void Validate() => Validate(ToString());

    private void Validate(string text)
    {
        if (!Keys.TryGetValue(Name, out var keys))
            throw new ArgumentException($"Unknown optimizer '{Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}.");
        foreach (var (key, _) in Given())
            if (!keys.Contains(key)) throw new ArgumentException($"optimizer '{text}': unknown key '{key}' for {Name}; accepted: {string.Join(", ", keys)}.");
        // PyTorch takes these, but from the command line they are mistakes: a zero rate trains nothing, and a momentum
        // of 1 or more makes the velocity v ← μ·v + g grow without bound.
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
            throw new ArgumentException($"optimizer '{text}': lr must be a finite number > 0, got {LearningRate}.");
        if (Name is "sgd" or "momentum" or "rmsprop" && Momentum is { } mu && !(mu >= 0 && mu < 1))
            throw new ArgumentException($"optimizer '{text}': momentum must be in [0, 1), got {mu}.");
        try { Create([Tensor.Zeros(1)]); } // checks the values now, not at the first training step
        catch (ArgumentException e) when (!e.Message.StartsWith("optimizer '", StringComparison.Ordinal)) { throw new ArgumentException($"optimizer '{text}': {e.Message}", e); }
    }

    /// <summary>The text form (same as <see cref="ToString"/>).</summary>
    public string Text => ToString();

    /// <summary>The learning rate it sets (its default when the text has none).</summary>
    public double LearningRate => Lr ?? DefaultLr(Name);

    /// <summary>Builds the optimizer over <paramref name="parameters"/>.</summary>
    public Optimizer Create(IEnumerable<Tensor> parameters) => Create(new[] { new ParamGroup(parameters) });

    /// <summary>Builds the optimizer over parameter groups.</summary>
    public Optimizer Create(IReadOnlyList<ParamGroup> groups)
    {
        double lr = LearningRate, wd = WeightDecay ?? (Name == "adamw" ? 1e-2 : 0);
        return Name switch
        {
            "sgd" => new Sgd(groups, lr, Momentum ?? 0, Dampening ?? 0, wd, Nesterov ?? false),
            "momentum" => new Momentum(groups, lr, Momentum ?? 0.9, wd),
            "adagrad" => new Adagrad(groups, lr, LrDecay ?? 0, wd, InitialAccumulatorValue ?? 0, Eps ?? 1e-10),
            "rmsprop" => new RmsProp(groups, lr, Alpha ?? 0.99, Eps ?? 1e-8, wd, Momentum ?? 0, Centered ?? false),
            "adam" => new Adam(groups, lr, Beta1 ?? 0.9, Beta2 ?? 0.999, Eps ?? 1e-8, wd, Amsgrad ?? false),
            "adamw" => new AdamW(groups, lr, Beta1 ?? 0.9, Beta2 ?? 0.999, Eps ?? 1e-8, wd, Amsgrad ?? false),
            _ => throw new ArgumentException($"Unknown optimizer '{Name}'; accepted: {string.Join(", ", Keys.Keys)}."),
        };
    }

    private static double DefaultLr(string name) => name switch { "sgd" or "adam" or "adamw" => 1e-3, _ => 1e-2 };

    /// <summary>The keys that are set, with their values as text.</summary>
    private IEnumerable<(string Key, string Value)> Given()
    {
        var all = new (string, object?)[]
        {
            ("lr", Lr), ("momentum", Momentum), ("dampening", Dampening), ("nesterov", Nesterov), ("weight_decay", WeightDecay),
            ("lr_decay", LrDecay), ("initial_accumulator_value", InitialAccumulatorValue), ("eps", Eps), ("alpha", Alpha),
            ("centered", Centered), ("beta1", Beta1), ("beta2", Beta2), ("amsgrad", Amsgrad),
        };
        var order = Keys.TryGetValue(Name, out var k) ? k : [];
        foreach (var (key, value) in all.OrderBy(p => Array.IndexOf(order, p.Item1) is var i && i < 0 ? int.MaxValue : i))
            if (value is not null) yield return (key, Format(value));
    }

    internal static string Format(object value) => value switch
    {
        double d => double.IsPositiveInfinity(d) ? "inf" : d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The canonical text form: <c>name</c> or <c>name:key=value,…</c> with the given keys in the table's order.</summary>
    public override string ToString()
    {
        var keys = Given().Select(p => $"{p.Key}={p.Value}").ToList();
        return keys.Count == 0 ? Name : Name + ":" + string.Join(",", keys);
    }
}
