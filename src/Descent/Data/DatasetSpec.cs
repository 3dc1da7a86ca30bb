using System.Globalization;

namespace Descent.Data;

/// <summary>
/// Names a dataset on the command line and loads it as a training and a test split:
/// <list type="bullet">
/// <item><c>fashion-mnist</c> — located as <see cref="FashionMnist.Locate"/> says;</item>
/// <item><c>mnist:DIR</c> — MNIST's four IDX files in DIR;</item>
/// <item><c>circles</c>, <c>moons</c>, <c>spirals</c>, <c>blobs</c>, <c>xor</c>, optionally
/// <c>NAME:n=1000,noise=0.1,classes=3</c> — n training and n test points, drawn from streams <see cref="TrainStream"/> and <see cref="TestStream"/> of the seed;</item>
/// <item><c>bars</c>, optionally <c>bars:n=1000,noise=0.1,size=12</c> — small images of lines, 4 classes by direction (<see cref="SyntheticImages"/>);</item>
/// <item><c>sine</c>, <c>friedman</c>, optionally <c>NAME:n=1000,noise=0.1</c> — regression sets (<see cref="SyntheticRegression"/>);</item>
/// <item><c>csv:PATH[,label=COL][,target=COL][,test=PATH2]</c> (or just a path ending in .csv) — a CSV file, a classification
/// set by its label column or a regression set by its target column(s) (<see cref="Csv.LoadRegression"/>); without
/// <c>test=</c> a seeded 20 % of its rows becomes the test split (<see cref="Split"/>).</item>
/// </list>
/// </summary>
public static class DatasetSpec
{
    /// <summary>The forms <see cref="Load"/> accepts, for help texts and errors.</summary>
    public const string Accepted = "fashion-mnist, mnist:DIR, circles, moons, spirals, blobs, xor (optionally NAME:n=N,noise=S,classes=K), bars (images; bars:n=N,noise=S,size=P), sine, friedman (regression; NAME:n=N,noise=S), csv:PATH[,label=COL][,target=COL][,test=PATH]";

    /// <summary>RNG streams of a synthetic set's training and test points (apart from the streams of weights, dropout and shuffling).</summary>
    public const ulong TrainStream = 0xDA7A_0001, TestStream = 0xDA7A_0002;

    /// <summary>Default number of points of each split of a synthetic set.</summary>
    public const int DefaultSyntheticCount = 1000;

    /// <summary>Loads the dataset named by <paramref name="spec"/>; an <see cref="ArgumentException"/> listing the accepted names otherwise.</summary>
    /// <param name="spec">The data set's text form.</param>
    /// <param name="seed">The seed of synthetic points and of the CSV test split.</param>
    /// <param name="target">Regression target column(s) of a CSV, comma-separated (<c>descent train --target</c>), or null.</param>
    public static DatasetPair Load(string spec, ulong seed, string? target = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim();
        if (s.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !s.StartsWith("csv:", StringComparison.OrdinalIgnoreCase)) s = "csv:" + s;
        int colon = s.IndexOf(':');
        string kind = (colon < 0 ? s : s[..colon]).ToLowerInvariant();
        string rest = colon < 0 ? "" : s[(colon + 1)..];
        switch (kind)
        {
            case "fashion-mnist" or "fashion_mnist" or "fashionmnist":
                return rest.Length == 0 ? FashionMnist.Load() : FashionMnist.Load(rest);
            case "mnist":
                if (rest.Length == 0) throw new ArgumentException("mnist needs a folder: 'mnist:DIR' with DIR holding train-images-idx3-ubyte(.gz) and the three other IDX files.");
                return FashionMnist.LoadMnist(rest);
            case "csv":
                return LoadCsv(spec, s[4..], seed, target);
        }
        if (target is not null) throw new ArgumentException($"--target {target}: target columns are for a CSV data set, not '{spec}'.");
        if (SyntheticRegression.Names.Contains(kind)) return LoadRegression(spec, kind, rest, seed);
        if (SyntheticImages.Names.Contains(kind)) return LoadImages(spec, rest, seed);
        if (Synthetic.Names.Contains(kind)) return LoadSynthetic(spec, kind, rest, seed);
        throw new ArgumentException($"Unknown dataset '{spec}'; expected one of: {Accepted}.");
    }

    private static DatasetPair LoadSynthetic(string spec, string name, string rest, ulong seed)
    {
        int n = DefaultSyntheticCount, classes = Synthetic.DefaultClasses(name);
        double noise = Synthetic.DefaultNoise(name);
        foreach (var (key, value) in Options(spec, rest))
        {
            switch (key)
            {
                case "n": n = ParseInt(spec, key, value); break;
                case "classes": classes = ParseInt(spec, key, value); break;
                case "noise":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out noise))
                        throw new ArgumentException($"Dataset '{spec}': noise should be a number, got '{value}'.");
                    break;
                default: throw new ArgumentException($"Dataset '{spec}': unknown option '{key}'; expected n, noise or classes.");
            }
        }
        var train = Synthetic.Generate(name, n, noise, classes, new Rng(seed, TrainStream), name + "/train");
        var test = Synthetic.Generate(name, n, noise, classes, new Rng(seed, TestStream), name + "/test");
        return new DatasetPair(train, test);
    }

    private static DatasetPair LoadImages(string spec, string rest, ulong seed)
    {
        int n = DefaultSyntheticCount, size = 12;
        double noise = 0.1;
        foreach (var (key, value) in Options(spec, rest))
        {
            if (key == "n") n = ParseInt(spec, key, value);
            else if (key == "size") size = ParseInt(spec, key, value);
            else if (key == "noise" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out noise)) { }
            else if (key == "noise") throw new ArgumentException($"Dataset '{spec}': noise should be a number, got '{value}'.");
            else throw new ArgumentException($"Dataset '{spec}': unknown option '{key}'; expected n, noise or size.");
        }
        return new DatasetPair(SyntheticImages.Generate(n, size, noise, new Rng(seed, TrainStream), "bars/train"),
            SyntheticImages.Generate(n, size, noise, new Rng(seed, TestStream), "bars/test"));
    }

    private static DatasetPair LoadRegression(string spec, string name, string rest, ulong seed)
    {
        int n = DefaultSyntheticCount;
        double noise = SyntheticRegression.DefaultNoise(name);
        foreach (var (key, value) in Options(spec, rest))
        {
            if (key == "n") n = ParseInt(spec, key, value);
            else if (key == "noise" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out noise)) { }
            else if (key == "noise") throw new ArgumentException($"Dataset '{spec}': noise should be a number, got '{value}'.");
            else throw new ArgumentException($"Dataset '{spec}': unknown option '{key}'; expected n or noise.");
        }
        var train = SyntheticRegression.Generate(name, n, noise, new Rng(seed, TrainStream), name + "/train");
        var test = SyntheticRegression.Generate(name, n, noise, new Rng(seed, TestStream), name + "/test");
        return new DatasetPair(train, test);
    }

    private static DatasetPair LoadCsv(string spec, string rest, ulong seed, string? targetOption)
    {
        var parts = rest.Split(',');
        string path = parts[0];
        if (path.Length == 0) throw new ArgumentException($"Dataset '{spec}': expected csv:PATH[,label=COL][,target=COL][,test=PATH].");
        string? label = null, testPath = null, target = targetOption;
        foreach (var (key, value) in Options(spec, string.Join(',', parts.Skip(1))))
        {
            if (key == "label") label = value;
            else if (key == "test") testPath = value;
            else if (key == "target" && targetOption is not null) throw new ArgumentException($"Dataset '{spec}': the target is given twice (target= and --target {targetOption}).");
            else if (key == "target") target = value;
            else throw new ArgumentException($"Dataset '{spec}': unknown option '{key}'; expected label=COL, target=COL or test=PATH.");
        }
        if (label is not null && target is not null) throw new ArgumentException($"Dataset '{spec}': give a label column (classification) or a target column (regression), not both.");
        string[]? targets = target?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string name = Path.GetFileNameWithoutExtension(path);
        Dataset Read(string file, string part) => targets is null ? Csv.Load(file, label, name + part) : Csv.LoadRegression(file, targets, name + part);
        var all = Read(path, "/train");
        if (testPath is null)
        {
            var (train, test) = Split.TrainValidation(all, 0.2, seed);
            return new DatasetPair(train, test.WithFeatures(test.Features, name + "/test"));
        }
        var testSet = targets is null ? Csv.Load(testPath, label, name + "/test", all.ClassNames) : Read(testPath, "/test");   // labels numbered by the training file's classes
        if (testSet.FeatureCount != all.FeatureCount)
            throw new InvalidDataException($"{testPath} has {testSet.FeatureCount} feature columns, {path} has {all.FeatureCount}.");
        return new DatasetPair(all, testSet);
    }

    private static IEnumerable<(string Key, string Value)> Options(string spec, string rest)
    {
        if (rest.Length == 0) yield break;
        foreach (var part in rest.Split(','))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"Dataset '{spec}': expected key=value, got '{part}'.");
            yield return (part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..].Trim());
        }
    }

    private static int ParseInt(string spec, string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new ArgumentException($"Dataset '{spec}': {key} should be an integer, got '{value}'.");
}
