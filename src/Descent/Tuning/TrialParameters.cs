using System.Globalization;

namespace Descent.Tuning;

/// <summary>One assignment of hyperparameters (name → double, long or string), with typed getters for the trial runner.</summary>
public sealed class TrialParameters(IReadOnlyDictionary<string, object> values)
{
    /// <summary>Name → value (double, long or string).</summary>
    public IReadOnlyDictionary<string, object> Values { get; } = values;

    /// <summary>True when the trial sets <paramref name="name"/>.</summary>
    public bool Has(string name) => Values.ContainsKey(name);

    /// <summary>The value of <paramref name="name"/> as a double, or <paramref name="fallback"/> when absent (absent without a fallback: an error).</summary>
    public double GetDouble(string name, double? fallback = null) =>
        Values.TryGetValue(name, out var v) ? Convert.ToDouble(v, CultureInfo.InvariantCulture)
        : fallback ?? throw new ArgumentException($"The trial has no parameter '{name}' (it has: {string.Join(", ", Values.Keys)}).");

    /// <summary>The value of <paramref name="name"/> as an int, or <paramref name="fallback"/> when absent (absent without a fallback: an error).</summary>
    public int GetInt(string name, int? fallback = null) =>
        Values.TryGetValue(name, out var v) ? (int)Math.Round(Convert.ToDouble(v, CultureInfo.InvariantCulture))
        : fallback ?? throw new ArgumentException($"The trial has no parameter '{name}' (it has: {string.Join(", ", Values.Keys)}).");

    /// <summary>The value of <paramref name="name"/> as text, or <paramref name="fallback"/> when absent (absent without a fallback: an error).</summary>
    public string GetString(string name, string? fallback = null) =>
        Values.TryGetValue(name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""
        : fallback ?? throw new ArgumentException($"The trial has no parameter '{name}' (it has: {string.Join(", ", Values.Keys)}).");

    /// <summary>The assignment as command-line options (<c>--lr 0.01 --batch-size 64</c>), the form <c>descent train</c> takes.</summary>
    public IEnumerable<string> ToArguments() =>
        Values.SelectMany(kv => new[] { "--" + kv.Key, kv.Value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? "" });

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", Values.Select(kv => $"{kv.Key}={SearchSpace.FormatValue(kv.Value)}"));
}
