using System.Globalization;

namespace Descent.Optim;

/// <summary>
/// The shared text form of optimizers and schedules: <c>name:key=value,key=value</c> (name and keys
/// case-insensitive; numbers in invariant culture, e.g. <c>1e-3</c>; booleans <c>true/false</c>;
/// lists separated by <c>/</c>, e.g. <c>milestones=30/60/90</c>). Errors are one line that quotes the
/// text and lists what is accepted.
/// </summary>
internal sealed class SpecText
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    private SpecText(string text, string kind, string name) { Text = text; Kind = kind; Name = name; }

    /// <summary>The whole text, for messages.</summary>
    public string Text { get; }

    /// <summary>"optimizer" or "schedule", for messages.</summary>
    public string Kind { get; }

    /// <summary>The lower-case name before the colon.</summary>
    public string Name { get; }

    /// <summary>Splits <paramref name="text"/> into a name and key=value pairs.</summary>
    public static SpecText Parse(string text, string kind)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"Empty {kind}: expected a form like 'name:key=value,…'.");
        int colon = text.IndexOf(':');
        var spec = new SpecText(text, kind, (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant());
        if (colon < 0) return spec;
        foreach (var raw in text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = raw.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"{kind} '{text}': '{raw}' is not key=value.");
            string key = raw[..eq].Trim().ToLowerInvariant();
            if (!spec._values.TryAdd(key, raw[(eq + 1)..].Trim())) throw new ArgumentException($"{kind} '{text}': key '{key}' is given twice.");
        }
        return spec;
    }

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
