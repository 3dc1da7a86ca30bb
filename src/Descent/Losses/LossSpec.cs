using System.Globalization;
using Descent.Optim;

namespace Descent.Losses;

/// <summary>
/// A training loss in text form, for <c>descent train --loss</c>, parsed like the optimizer's: <c>name[:key=value,…]</c>.
/// Change it with <c>spec with { LabelSmoothing = 0.1 }</c>; <see cref="ToString"/> gives the canonical text.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>cross-entropy[:label_smoothing=0]</term><description><see cref="CrossEntropyLoss"/> on logits and class indices (alias ce)</description></item>
/// <item><term>mse</term><description><see cref="MseLoss"/>, mean of (ŷ − y)² over every element</description></item>
/// <item><term>half-sse</term><description><see cref="HalfSumSquaredError"/>, the notes' ½‖y − ŷ‖² summed over the batch</description></item>
/// <item><term>bce[:pos_weight=1]</term><description><see cref="BceWithLogitsLoss"/>, one sigmoid per output</description></item>
/// </list>
/// The value losses (mse, half-sse, bce) train on regression targets, or on one-hot labels of a classification set.
/// </remarks>
public sealed record LossSpec
{
    private static readonly Dictionary<string, string[]> Keys = new()
    {
        ["cross-entropy"] = ["label_smoothing"],
        ["mse"] = [],
        ["half-sse"] = [],
        ["bce"] = ["pos_weight"],
    };

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["ce"] = "cross-entropy", ["cross_entropy"] = "cross-entropy", ["crossentropy"] = "cross-entropy",
        ["half_sse"] = "half-sse", ["bce-with-logits"] = "bce", ["bce_with_logits"] = "bce",
    };

    /// <summary>A loss named <paramref name="name"/> with its defaults.</summary>
    public LossSpec(string name) { Name = name; }

    /// <summary>Cross-entropy, the default for classification.</summary>
    public static LossSpec CrossEntropy { get; } = new("cross-entropy");

    /// <summary>Mean squared error, the default for regression.</summary>
    public static LossSpec Mse { get; } = new("mse");

    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> Names => Keys.Keys.ToArray();

    /// <summary>cross-entropy, mse, half-sse or bce.</summary>
    public string Name { get; init; }

    /// <summary>Label smoothing ε of cross-entropy (null: 0).</summary>
    public double? LabelSmoothing { get; init; }

    /// <summary>Weight p of the positive term of bce (null: 1).</summary>
    public double? PosWeight { get; init; }

    /// <summary>Whether the loss reads class indices (only cross-entropy).</summary>
    public bool IsClassification => Name == "cross-entropy";

    /// <summary>Parses and checks <paramref name="text"/>; errors are one line listing what is accepted.</summary>
    public static LossSpec Parse(string text)
    {
        var s = SpecText.Parse(text, "loss");
        string name = Aliases.GetValueOrDefault(s.Name, s.Name);
        if (!Keys.TryGetValue(name, out var keys))
            throw new ArgumentException($"Unknown loss '{s.Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}.");
        s.Accept(keys);
        var spec = new LossSpec(name)
        {
            LabelSmoothing = s.Has("label_smoothing") ? s.Double("label_smoothing", 0) : null,
            PosWeight = s.Has("pos_weight") ? s.Double("pos_weight", 1) : null,
        };
        spec.Validate(text);
        return spec;
    }

    /// <summary>Checks the name, the keys and their values.</summary>
    public void Validate() => Validate(ToString());

    private void Validate(string text)
    {
        if (!Keys.TryGetValue(Name, out var keys))
            throw new ArgumentException($"Unknown loss '{Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}.");
        if (LabelSmoothing is not null && !keys.Contains("label_smoothing"))
            throw new ArgumentException($"loss '{text}': label smoothing is a key of cross-entropy, not of {Name}.");
        if (PosWeight is not null && !keys.Contains("pos_weight"))
            throw new ArgumentException($"loss '{text}': pos_weight is a key of bce, not of {Name}.");
        if (LabelSmoothing is { } e && !(e >= 0 && e <= 1))
            throw new ArgumentException($"loss '{text}': label_smoothing={F(e)}; expected a value in [0, 1].");
        if (PosWeight is { } p && !(p > 0 && double.IsFinite(p)))
            throw new ArgumentException($"loss '{text}': pos_weight={F(p)}; expected a finite value > 0.");
    }

    /// <summary>The loss.</summary>
    public ILoss Create() => Name switch
    {
        "cross-entropy" => new CrossEntropyLoss(labelSmoothing: LabelSmoothing ?? 0),
        "mse" => new MseLoss(),
        "half-sse" => new HalfSumSquaredError(),
        "bce" => new BceWithLogitsLoss(posWeight: PosWeight ?? 1),
        _ => throw new ArgumentException($"Unknown loss '{Name}'; accepted: {string.Join(", ", Keys.Keys)}."),
    };

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The canonical text: the name, then the keys that are set.</summary>
    public override string ToString()
    {
        var keys = new List<string>();
        if (LabelSmoothing is { } e) keys.Add("label_smoothing=" + F(e));
        if (PosWeight is { } p) keys.Add("pos_weight=" + F(p));
        return keys.Count == 0 ? Name : Name + ":" + string.Join(",", keys);
    }
}
