using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Descent.Tuning;

/// <summary>
/// Named hyperparameters and their distributions, in order of importance (notes: α first; then momentum β,
/// hidden units, batch size; then layers and learning-rate decay; Adam's β₁, β₂, ε rarely).
/// Names are the long option names of <c>descent train</c> without the dashes (<c>lr</c>, <c>momentum</c>,
/// <c>batch-size</c>, …), so any option of the trainer can be searched.
/// </summary>
/// <remarks>
/// JSON form (one object, keys in order of importance):
/// <code>
/// { "lr":         { "type": "log_uniform", "low": 1e-4, "high": 1 },
///   "momentum":   { "type": "one_minus_log_uniform", "low": 0.9, "high": 0.999 },
///   "hidden":     { "type": "int", "low": 32, "high": 512, "log": true },
///   "batch-size": { "type": "categorical", "choices": [32, 64, 128, 256] },
///   "dropout":    { "type": "uniform", "low": 0, "high": 0.5 } }
/// </code>
/// </remarks>
public sealed class SearchSpace
{
    private readonly List<KeyValuePair<string, Distribution>> _parameters = [];

    /// <summary>An empty space; add parameters with <see cref="Add"/>.</summary>
    public SearchSpace() { }

    /// <summary>A space of <paramref name="parameters"/>, in order of importance.</summary>
    public SearchSpace(IEnumerable<KeyValuePair<string, Distribution>> parameters)
    {
        foreach (var (name, d) in parameters) Add(name, d);
    }

    /// <summary>The parameters in order of importance.</summary>
    public IReadOnlyList<KeyValuePair<string, Distribution>> Parameters => _parameters;

    /// <summary>Number of parameters.</summary>
    public int Count => _parameters.Count;

    /// <summary>The distribution of the parameter named <paramref name="name"/> (an error naming the known ones if absent).</summary>
    public Distribution this[string name] =>
        _parameters.FirstOrDefault(p => p.Key == name).Value
        ?? throw new ArgumentException($"No parameter '{name}' in the search space (it has: {string.Join(", ", Names)}).");

    /// <summary>The parameter names, in order of importance.</summary>
    public IEnumerable<string> Names => _parameters.Select(p => p.Key);

    /// <summary>True when the space has a parameter named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _parameters.Any(p => p.Key == name);

    /// <summary>Adds a parameter (fluent).</summary>
    public SearchSpace Add(string name, Distribution distribution)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A parameter needs a non-empty name.");
        if (Contains(name)) throw new ArgumentException($"Parameter '{name}' is defined twice in the search space.");
        _parameters.Add(new(name, distribution));
        return this;
    }

    /// <summary>Draws every parameter independently at random.</summary>
    public Dictionary<string, object> Sample(Rng rng) => _parameters.ToDictionary(p => p.Key, p => p.Value.Sample(rng));

    /// <summary>Parses the JSON form (see remarks). <paramref name="source"/> names the file in error messages.</summary>
    public static SearchSpace FromJson(string json, string source = "search space")
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new FormatException($"{source}: not valid JSON ({e.Message})."); }
        if (root is not JsonObject obj) throw new FormatException($"{source}: expected a JSON object of parameters, got {root?.GetValueKind().ToString() ?? "null"}.");
        if (obj["parameters"] is JsonObject inner) obj = inner;
        var space = new SearchSpace();
        foreach (var (name, node) in obj)
        {
            if (node is not JsonObject p) throw new FormatException($"{source}: parameter '{name}' must be an object like {{\"type\": \"log_uniform\", \"low\": 1e-4, \"high\": 1}}.");
            string type = p["type"] is JsonValue t && t.TryGetValue<string>(out var text) ? text
                : throw new FormatException($"{source}: parameter '{name}' needs a \"type\" text (uniform, log_uniform, one_minus_log_uniform, int or categorical).");
            try
            {
                space.Add(name, type switch
                {
                    "uniform" => new UniformDistribution(Num(p, "low"), Num(p, "high")),
                    "log_uniform" or "loguniform" or "log" => new LogUniformDistribution(Num(p, "low"), Num(p, "high")),
                    "one_minus_log_uniform" or "one_minus_log" => new OneMinusLogUniformDistribution(Num(p, "low"), Num(p, "high")),
                    "int" or "integer" => new IntDistribution((long)Num(p, "low"), (long)Num(p, "high"), p["log"]?.GetValue<bool>() ?? false),
                    "categorical" or "choice" => new CategoricalDistribution(Choices(p)),
                    _ => throw new FormatException($"unknown type '{type}' (expected uniform, log_uniform, one_minus_log_uniform, int or categorical)"),
                });
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                throw new FormatException($"{source}: parameter '{name}': {e.Message.TrimEnd('.')}.");
            }
        }
        if (space.Count == 0) throw new FormatException($"{source}: the search space has no parameters.");
        return space;

        static double Num(JsonObject p, string key) =>
            p[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw new FormatException($"\"{key}\" must be a number");

        static List<object> Choices(JsonObject p)
        {
            if (p["choices"] is not JsonArray a) throw new FormatException("\"choices\" must be an array");
            return a.Select(n => n is JsonValue v && v.TryGetValue<double>(out var d) ? (object)d
                : n is JsonValue s && s.TryGetValue<string>(out var str) ? str
                : n is JsonValue b && b.TryGetValue<bool>(out var bo) ? bo
                : throw new FormatException($"choice {n?.ToJsonString()} is not a number, string or boolean")).ToList();
        }
    }

    /// <summary>Reads the JSON form from a file.</summary>
    public static SearchSpace Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Search space file '{path}' not found.", path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>The JSON form (round-trips through <see cref="FromJson"/>).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var (name, d) in _parameters)
            {
                w.WriteStartObject(name);
                w.WriteString("type", d.Kind);
                switch (d)
                {
                    case UniformDistribution u: w.WriteNumber("low", u.Low); w.WriteNumber("high", u.High); break;
                    case LogUniformDistribution l: w.WriteNumber("low", l.Low); w.WriteNumber("high", l.High); break;
                    case OneMinusLogUniformDistribution o: w.WriteNumber("low", o.Low); w.WriteNumber("high", o.High); break;
                    case IntDistribution i: w.WriteNumber("low", i.Low); w.WriteNumber("high", i.High); if (i.Log) w.WriteBoolean("log", true); break;
                    case CategoricalDistribution c:
                        w.WriteStartArray("choices");
                        foreach (var ch in c.Choices) if (ch is double v) w.WriteNumberValue(v); else w.WriteStringValue(ch.ToString());
                        w.WriteEndArray();
                        break;
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Formats a parameter value for tables: numbers with 4 significant digits, written out between 0.001 and 100000
    /// and in scientific form (lower-case e, as the command line writes rates) beyond: 0.0316, 9.549e-05.
    /// </summary>
    public static string FormatValue(object v) => v switch
    {
        double d when d == 0 || !double.IsFinite(d) || Math.Abs(d) >= 1e-3 && Math.Abs(d) < 1e5 => d.ToString("G4", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###e+00", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
