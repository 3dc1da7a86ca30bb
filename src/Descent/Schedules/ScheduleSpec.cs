using Descent.Optim;

namespace Descent.Schedules;

/// <summary>
/// A schedule in text form, for the command line: <c>name:key=value,…</c>, parts joined with
/// <c>+</c> (each part but the last runs for its <c>for=N</c>, or a warm-up for its <c>steps</c>).
/// Every schedule counts epochs unless <c>per=step</c> (one-cycle counts steps); in a join, parts
/// without <c>per</c> follow the part that has it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>constant</term><description>α₀</description></item>
/// <item><term>inverse-time</term><description>decay=1, steps=1, staircase=false: α₀/(1 + decay·t/steps)</description></item>
/// <item><term>exponential</term><description>base=0.95, steps=1, staircase=false: α₀·base^(t/steps)</description></item>
/// <item><term>inverse-sqrt</term><description>k=1: k/√max(t,1)·α₀ (per=step for the notes' k/√t)</description></item>
/// <item><term>step</term><description>size (required), gamma=0.1: α₀·gamma^⌊t/size⌋</description></item>
/// <item><term>multi-step</term><description>milestones=a/b/c (required), gamma=0.1</description></item>
/// <item><term>cosine</term><description>tmax (required), etamin=0</description></item>
/// <item><term>cosine-restarts</term><description>t0 (required), tmult=1, etamin=0</description></item>
/// <item><term>warmup</term><description>steps (required): α₀·min(1, (t+1)/steps)</description></item>
/// <item><term>one-cycle</term><description>total (required), pct=0.3, div=25, final_div=1e4; per step</description></item>
/// </list>
/// Examples: <c>inverse-time:decay=1</c>, <c>exponential:base=0.95</c>, <c>cosine:tmax=10</c>,
/// <c>warmup:steps=5+cosine:tmax=45</c>, <c>multi-step:milestones=30/60,gamma=0.1</c>.
/// Reduce-on-plateau (<c>plateau:patience=2,…</c>) parses alone, but is not a pure schedule: build it with
/// <see cref="Policy"/> (<see cref="LearningRatePolicy.Parse"/>).
/// The text is parsed into this record (its parts and their keys) and changed with <c>with { … }</c>; a required
/// length that is missing (e.g. <c>cosine</c> without tmax, which <c>descent train</c> sets to the run's epochs)
/// is reported by <see cref="Create()"/>. <see cref="ToString"/> gives the canonical text.
/// </remarks>
public sealed record ScheduleSpec : ISchedule
{
    private static readonly Dictionary<string, string[]> Keys = new()
    {
        ["constant"] = [],
        ["inverse-time"] = ["decay", "steps", "staircase"],
        ["exponential"] = ["base", "steps", "staircase"],
        ["inverse-sqrt"] = ["k"],
        ["step"] = ["size", "gamma"],
        ["multi-step"] = ["milestones", "gamma"],
        ["cosine"] = ["tmax", "etamin"],
        ["cosine-restarts"] = ["t0", "tmult", "etamin"],
        ["warmup"] = ["steps"],
        ["one-cycle"] = ["total", "pct", "div", "final_div"],
    };

    private static readonly Dictionary<string, string> Required = new()
    {
        ["step"] = "size", ["multi-step"] = "milestones", ["cosine"] = "tmax", ["cosine-restarts"] = "t0", ["warmup"] = "steps", ["one-cycle"] = "total",
    };

    private static readonly string[] PlateauKeys = ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"];

    private ISchedule? _built;

    /// <summary>A schedule of <paramref name="parts"/> (joined in order).</summary>
    public ScheduleSpec(IReadOnlyList<SchedulePart> parts) { Parts = parts; }

    /// <summary>A copy without the built schedule (a <c>with</c> builds its own).</summary>
    private ScheduleSpec(ScheduleSpec original) { Parts = original.Parts; }

    /// <summary>The accepted schedule names.</summary>
    public static IReadOnlyList<string> Names => Keys.Keys.ToArray();

    /// <summary>The parts, in order (one for a plain schedule).</summary>
    public IReadOnlyList<SchedulePart> Parts { get; init; }

    /// <summary>True for <c>plateau:…</c>, which is driven by a metric (see <see cref="Policy"/>).</summary>
    public bool IsPlateau => Parts.Count == 1 && Parts[0].Name == "plateau";

    /// <summary>Parses <paramref name="text"/> (errors: one line listing what is accepted); values are checked now when every required length is given.</summary>
    public static ScheduleSpec Parse(string text)
    {
        var texts = text.Split('+', StringSplitOptions.TrimEntries).Select(p => SpecText.Parse(p, "schedule")).ToArray();
        foreach (var p in texts)
        {
            if (p.Name == "plateau")
            {
                if (texts.Length > 1)
                    throw new ArgumentException($"schedule '{text}': plateau is driven by a metric, not a pure schedule; use it alone (LearningRatePolicy.Parse).");
                p.Accept(PlateauKeys);
                continue;
            }
            if (!Keys.TryGetValue(p.Name, out var keys))
                throw new ArgumentException($"Unknown schedule '{p.Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}, plateau.");
            p.Accept([.. keys, "per", "for"]);
        }
        var spec = new ScheduleSpec(texts.Select(p => new SchedulePart(p.Name, p.Pairs())).ToArray());
        if (spec.IsPlateau) spec.Policy(1);                                  // checks the plateau's values
        else if (spec.Parts.All(p => !Required.TryGetValue(p.Name, out var k) || p.Keys.ContainsKey(k))) Create(text, texts);
        return spec;
    }

    /// <summary>The schedule as a pure function (throws for plateau, and when a required length is missing).</summary>
    public ISchedule Create()
    {
        string text = ToString();
        if (IsPlateau) throw new ArgumentException($"schedule '{text}': plateau is driven by a metric, not a pure schedule; use it alone (LearningRatePolicy.Parse).");
        return Create(text, Parts.Select(p => SpecText.Parse(p.ToString(), "schedule")).ToArray());
    }

    /// <summary>The training loop's policy from base rate α₀: this schedule, or the plateau rule.</summary>
    public LearningRatePolicy Policy(double baseRate) => IsPlateau ? LearningRatePolicy.Parse(ToString(), baseRate) : new LearningRatePolicy(baseRate, Create());

    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t) => (_built ??= Create()).LearningRate(baseRate, t);

    /// <inheritdoc/>
    public bool PerStep => (_built ??= Create()).PerStep;

    private static ISchedule Create(string text, SpecText[] parts)
    {
        string? per = parts.FirstOrDefault(p => p.Has("per"))?.Choice("per", "epoch", "epoch", "step");
        var schedules = new ISchedule[parts.Length];
        var boundaries = new long[parts.Length - 1];
        long at = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            if (!Keys.ContainsKey(p.Name)) throw new ArgumentException($"Unknown schedule '{p.Name}' in '{text}'; accepted: {string.Join(", ", Keys.Keys)}, plateau.");
            bool perStep = p.Choice("per", per ?? (p.Name == "one-cycle" ? "step" : "epoch"), "epoch", "step") == "step";
            try { schedules[i] = Build(p, perStep); }
            catch (ArgumentException e) when (!e.Message.StartsWith("schedule", StringComparison.Ordinal))
            { throw new ArgumentException($"schedule '{text}': {e.Message}", e); }
            if (i < parts.Length - 1)
            {
                long length = p.Has("for") ? p.Long("for", 0) : p.Name == "warmup" ? p.RequiredLong("steps")
                    : throw new ArgumentException($"schedule '{text}': '{p.Text}' is followed by another schedule, so it needs for=N (its length).");
                if (length <= 0) throw new ArgumentException($"schedule '{text}': '{p.Text}' has length {length}; expected ≥ 1.");
                boundaries[i] = at += length;
            }
        }
        return parts.Length == 1 ? schedules[0] : new JoinedSchedule(schedules, boundaries);
    }

    private static ISchedule Build(SpecText s, bool perStep) => s.Name switch
    {
        "constant" => new ConstantRate(perStep),
        "inverse-time" => new InverseTimeDecay(s.Double("decay", 1), s.Double("steps", 1), s.Bool("staircase", false), perStep),
        "exponential" => new ExponentialDecay(s.Double("base", 0.95), s.Double("steps", 1), s.Bool("staircase", false), perStep),
        "inverse-sqrt" => new InverseSqrtDecay(s.Double("k", 1), perStep),
        "step" => new StepDecay(Positive(s, "size"), s.Double("gamma", 0.1), perStep),
        "multi-step" => new MultiStepDecay(s.Longs("milestones"), s.Double("gamma", 0.1), perStep),
        "cosine" => new CosineAnnealing(Positive(s, "tmax"), s.Double("etamin", 0), perStep),
        "cosine-restarts" => new CosineAnnealingWarmRestarts(Positive(s, "t0"), Math.Max(1, s.Long("tmult", 1)), s.Double("etamin", 0), perStep),
        "warmup" => new LinearWarmup(Positive(s, "steps"), perStep),
        "one-cycle" => new OneCycle(Positive(s, "total"), s.Double("pct", 0.3), s.Double("div", 25), s.Double("final_div", 1e4), perStep),
        _ => throw new InvalidOperationException(s.Name),
    };

    private static long Positive(SpecText s, string key)
    {
        long v = s.RequiredLong(key);
        return v >= 1 ? v : throw new ArgumentException($"schedule '{s.Text}': {key}={v}; expected ≥ 1.");
    }

    /// <summary>The canonical text: the parts joined with '+'.</summary>
    public override string ToString() => string.Join("+", Parts);

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(ScheduleSpec? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// One part of a <see cref="ScheduleSpec"/>: a name and its keys as text (e.g. <c>cosine</c>, {tmax: 10}); change a key with
/// <c>part with { Keys = part.Keys.SetItem("tmax", "10") }</c>.
/// </summary>
public sealed record SchedulePart(string Name, System.Collections.Immutable.ImmutableSortedDictionary<string, string> Keys)
{
    /// <summary>The canonical text: <c>name</c> or <c>name:key=value,…</c> (keys in alphabetical order).</summary>
    public override string ToString() => Keys.Count == 0 ? Name : Name + ":" + string.Join(",", Keys.Select(k => $"{k.Key}={k.Value}"));

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(SchedulePart? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
