namespace Descent.Data;

/// <summary>
/// A labelled dataset held in memory: features as float32 rows <c>[n, d]</c> (row-major) and one class
/// index per row, plus the class names and the shape of one example (e.g. <c>[1, 28, 28]</c> for an image,
/// <c>[2]</c> for a point in the plane; its product is d).
/// </summary>
public sealed class Dataset
{
    /// <summary>Builds a dataset, checking that the lengths agree.</summary>
    public Dataset(string name, float[] features, int[] labels, int[] featureShape, IReadOnlyList<string> classNames)
    {
        int d = Descent.Shape.Numel(featureShape);
        if (d <= 0) throw new ArgumentException($"Dataset '{name}': feature shape {Descent.Shape.Format(featureShape)} has no elements.");
        if (features.Length != labels.Length * d)
            throw new ArgumentException($"Dataset '{name}': {labels.Length} labels × {d} features = {labels.Length * (long)d} values expected, got {features.Length}.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"Dataset '{name}': label {labels[i]} at row {i} is outside 0..{classNames.Count - 1} ({classNames.Count} classes).");
        Name = name;
        Features = features;
        Labels = labels;
        FeatureShape = featureShape;
        ClassNames = classNames;
    }

    /// <summary>A short name ("fashion-mnist/train", "moons/test").</summary>
    public string Name { get; }

    /// <summary>The features, row-major. // [n, d]</summary>
    public float[] Features { get; }

    /// <summary>The class index of each row. // [n]</summary>
    public int[] Labels { get; }

    /// <summary>The shape of one example; its product is <see cref="FeatureCount"/>.</summary>
    public int[] FeatureShape { get; }

    /// <summary>The name of each class, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of examples n.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of features per example d.</summary>
    public int FeatureCount => Descent.Shape.Numel(FeatureShape);

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The features of row <paramref name="i"/>. // [d]</summary>
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * FeatureCount, FeatureCount);

    /// <summary>The rows at <paramref name="indices"/>, copied, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        int d = FeatureCount;
        var x = new float[indices.Length * d];
        var y = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"Row {i} is outside 0..{Count - 1} of '{Name}'.");
            Features.AsSpan(i * d, d).CopyTo(x.AsSpan(k * d, d));
            y[k] = Labels[i];
        }
        return new Dataset(name ?? Name, x, y, (int[])FeatureShape.Clone(), ClassNames);
    }

    /// <summary>The same labels with other features (e.g. normalized), checked for length.</summary>
    public Dataset WithFeatures(float[] features, string? name = null) => new(name ?? Name, features, Labels, FeatureShape, ClassNames);

    /// <summary>All features as one tensor (copied). // [n, d]</summary>
    public Tensor FeaturesTensor() => Tensor.From((float[])Features.Clone(), Count, FeatureCount);

    /// <summary>How many rows carry each label. // [classes]</summary>
    public int[] ClassCounts()
    {
        var c = new int[ClassCount];
        foreach (int y in Labels) c[y]++;
        return c;
    }

    public override string ToString() => $"{Name}: {Count} × {Descent.Shape.Format(FeatureShape)}, {ClassCount} classes";
}

/// <summary>A training split and a test split of one dataset.</summary>
public sealed record DatasetPair(Dataset Train, Dataset Test);
