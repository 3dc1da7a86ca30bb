using System.Globalization;

namespace Descent.Optim;

/// <summary>
/// The shared text form of optimizers and schedules: <c>name:key=value,key=value</c> (name and keys
/// case-insensitive; numbers in invariant culture, e.g. <c>1e-3</c>; booleans <c>true/false</c>;
/// lists separated by <c>/</c>, e.g. <c>milestones=30/60/90</c>). Errors are one line that quotes the
/// text and lists what is accepted. Model and layer forms also take positional values before the keys
/// (<c>mlp:256,128,act=tanh</c>); a value holding commas is written in parentheses (<c>init=(uniform:-0.1,0.1)</c>).
/// </summary>
internal sealed class SpecText
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _positional = [];

    private SpecText(string text, string kind, string name) { Text = text; Kind = kind; Name = name; }

    /// <summary>The whole text, for messages.</summary>
    public string Text { get; }

    /// <summary>"optimizer", "schedule", "model", "loss", for messages.</summary>
    public string Kind { get; }

    /// <summary>The lower-case name before the colon.</summary>
    public string Name { get; }

    /// <summary>The values given without a key, in order (only with <c>positional: true</c>).</summary>
    public IReadOnlyList<string> Positional => _positional;

    /// <summary>Splits <paramref name="text"/> into a name, positional values (when allowed; they come first) and key=value pairs.</summary>
    public static SpecText Parse(string text, string kind, bool positional = false)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"Empty {kind}: expected a form like 'name:key=value,…'.");
        int colon = text.IndexOf(':');
        var spec = new SpecText(text, kind, (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant());
        if (colon < 0) return spec;
        foreach (var raw in SplitTopLevel(text[(colon + 1)..], ','))
        {
            int eq = raw.IndexOf('=');
            int paren = raw.IndexOf('(');
            if (eq <= 0 || (paren >= 0 && paren < eq))
            {
                if (!positional) throw new ArgumentException($"{kind} '{text}': '{raw}' is not key=value.");
                if (spec._values.Count > 0) throw new ArgumentException($"{kind} '{text}': '{raw}' comes after a key=value; values without a key come first.");
                spec._positional.Add(raw);
                continue;
            }
            string key = raw[..eq].Trim().ToLowerInvariant();
            string value = raw[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '(' && value[^1] == ')') value = value[1..^1].Trim();
            if (!spec._values.TryAdd(key, value)) throw new ArgumentException($"{kind} '{text}': key '{key}' is given twice.");
        }
        return spec;
    }

    /// <summary>Splits at <paramref name="separator"/> outside parentheses; parts trimmed, empty parts dropped.</summary>
    internal static List<string> SplitTopLevel(string text, char separator)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : separator;
            if (c == '(') depth++;
            else if (c == ')') depth = Math.Max(0, depth - 1);
            else if ((c == separator || (separator == ' ' && char.IsWhiteSpace(c))) && depth == 0)
            {
                var part = text[start..i].Trim();
                if (part.Length > 0) parts.Add(part);
                start = i + 1;
            }
        }
        return parts;
    }

    /// <summary>The key=value pairs as given (keys lower-case), for records that keep them as text.</summary>
    public System.Collections.Immutable.ImmutableSortedDictionary<string, string> Pairs() =>
        System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, _values.Select(kv => KeyValuePair.Create(kv.Key.ToLowerInvariant(), kv.Value)));

    /// <summary>A value as text, or <paramref name="fallback"/> when absent.</summary>
    public string? String(string key, string? fallback) => _values.TryGetValue(key, out var s) ? s : fallback;

    /// <summary>Throws, listing <paramref name="keys"/>, when a key is not among them.</summary>
    public void Accept(params string[] keys)
    {
        foreach (var k in _values.Keys)
            if (!keys.Contains(k)) throw new ArgumentException($"{Kind} '{Text}': unknown key '{k}' for {Name}; accepted: {(keys.Length == 0 ? "none" : string.Join(", ", keys))}.");
    }

    /// <summary>Whether <paramref name="key"/> was given.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>A number, or <paramref name="fallback"/> when absent.</summary>
    public double Double(string key, double fallback)
    {
        if (!_values.TryGetValue(key, out var s)) return fallback;
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsNaN(v)
            ? v : throw new ArgumentException($"{Kind} '{Text}': {key}={s} is not a number.");
    }

    /// <summary>A whole number, or <paramref name="fallback"/> when absent.</summary>
    public long Long(string key, long fallback)
    {
        if (!_values.TryGetValue(key, out var s)) return fallback;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"{Kind} '{Text}': {key}={s} is not a whole number.");
    }

    /// <summary>A whole number that must be given.</summary>
    public long RequiredLong(string key) =>
        Has(key) ? Long(key, 0) : throw new ArgumentException($"{Kind} '{Text}': {Name} needs {key}=N.");

    /// <summary>true/false (also 1/0, yes/no), or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string key, bool fallback)
    {
        if (!_values.TryGetValue(key, out var s)) return fallback;
        return s.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new ArgumentException($"{Kind} '{Text}': {key}={s} is not true or false."),
        };
    }

    /// <summary>One of <paramref name="choices"/>, or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string key, string fallback, params string[] choices)
    {
        if (!_values.TryGetValue(key, out var s)) return fallback;
        s = s.ToLowerInvariant();
        return choices.Contains(s) ? s : throw new ArgumentException($"{Kind} '{Text}': {key}={s}; accepted: {string.Join(", ", choices)}.");
    }

    /// <summary>A '/'-separated list of whole numbers.</summary>
    public long[] Longs(string key)
    {
        if (!_values.TryGetValue(key, out var s)) throw new ArgumentException($"{Kind} '{Text}': {Name} needs {key}=a/b/c.");
        return s.Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(x =>
            long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new ArgumentException($"{Kind} '{Text}': {key}={s}: '{x}' is not a whole number.")).ToArray();
    }
}
