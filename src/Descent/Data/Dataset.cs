using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;

namespace Descent.Data;

/// <summary>
/// A labelled dataset held in memory: features as float32 rows <c>[n, d]</c> (row-major) and one class
/// index per row, plus the class names and the shape of one example (e.g. <c>[1, 28, 28]</c> for an image,
/// <c>[2]</c> for a point in the plane; its product is d). A regression set holds float targets <c>[n, k]</c>
/// instead (<see cref="Targets"/>, <see cref="TargetNames"/>); it has no classes and its labels are all 0.
/// </summary>
/// <remarks>
/// Images may instead be held as their bytes (a quarter of the memory) with a divisor — the features are
/// b / divisor, as torchvision's ToTensor — and, after <see cref="WithNormalization"/>, a z-score on top. Such a
/// dataset makes float rows only where they are read: <see cref="CopyRow"/> (the mini-batch gather) converts one
/// row at a time, and <see cref="Features"/> materializes them all on first use. Both give bitwise the values the
/// float path gives.
/// </remarks>
public sealed partial class Dataset
{
    private float[]? _features;          // [n, d] (materialized lazily when byte-backed)
    private readonly byte[]? _bytes;     // [n, d] raw pixels, or null
    private readonly float _divisor = 1f;
    private readonly float[]? _targets;  // [n, k] regression targets, or null

    /// <summary>A byte-backed dataset: feature = byte / <paramref name="divisor"/> (then <paramref name="normalization"/>, if any).</summary>
    public Dataset(string name, byte[] bytes, float divisor, int[] labels, int[] featureShape, IReadOnlyList<string> classNames, Normalizer? normalization = null)
        : this(name, (float[]?)null, bytes.Length, labels, featureShape, classNames)
    {
        _bytes = bytes;
        _divisor = divisor;
        Normalization = normalization;
    }

    /// <summary>Builds a dataset, checking that the lengths agree.</summary>
    public Dataset(string name, float[] features, int[] labels, int[] featureShape, IReadOnlyList<string> classNames)
        : this(name, features, features.Length, labels, featureShape, classNames) { }

    /// <summary>A regression dataset: features [n, d] and targets [n, k], k = <paramref name="targetNames"/>.Count.</summary>
    public Dataset(string name, float[] features, float[] targets, int[] featureShape, IReadOnlyList<string> targetNames)
        : this(name, features, features.Length, new int[targetNames.Count == 0 ? 0 : targets.Length / targetNames.Count], featureShape, [])
    {
        int k = targetNames.Count;
        if (k == 0) throw new ArgumentException($"Dataset '{name}': a regression set needs at least one target.");
        if (targets.Length != Count * k || targets.Length % k != 0)
            throw new ArgumentException($"Dataset '{name}': {Count} rows × {k} targets = {Count * (long)k} values expected, got {targets.Length}.");
        _targets = targets;
        TargetNames = targetNames;
    }

    private Dataset(string name, float[]? features, int values, int[] labels, int[] featureShape, IReadOnlyList<string> classNames)
    {
        int d = Descent.Shape.Numel(featureShape);
        if (d <= 0) throw new ArgumentException($"Dataset '{name}': feature shape {Descent.Shape.Format(featureShape)} has no elements.");
        if (values != labels.Length * d)
            throw new ArgumentException($"Dataset '{name}': {labels.Length} labels × {d} features = {labels.Length * (long)d} values expected, got {values}.");
        for (int i = 0; i < labels.Length && classNames.Count > 0; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"Dataset '{name}': label {labels[i]} at row {i} is outside 0..{classNames.Count - 1} ({classNames.Count} classes).");
        Name = name;
        _features = features;
        Labels = labels;
        FeatureShape = featureShape;
        ClassNames = classNames;
    }

    /// <summary>A short name ("fashion-mnist/train", "moons/test").</summary>
    public string Name { get; }

    /// <summary>The features, row-major (materialized on first use when byte-backed). // [n, d]</summary>
    public float[] Features => _features ??= Materialize();

    /// <summary>True when the rows are held as bytes (see the remarks).</summary>
    public bool IsByteBacked => _bytes is not null;

    /// <summary>The z-score applied on top of byte / divisor, for a byte-backed dataset (null: none).</summary>
    public Normalizer? Normalization { get; }

    /// <summary>Writes the features of row <paramref name="i"/> into <paramref name="destination"/> [d].</summary>
    public void CopyRow(int i, Span<float> destination)
    {
        int d = FeatureCount;
        if (_bytes is null) { Features.AsSpan(i * d, d).CopyTo(destination); return; }
        var dst = destination[..d];
        var src = _bytes.AsSpan(i * d, d);
        if (Avx512F.IsSupported && (Normalization is null || Normalization.Mean.Length == 1 || Normalization.Mean.Length == d))
        {
            ConvertRow512(src, dst);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<byte, float>(src, dst);
        if (_divisor != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(dst, _divisor, dst);
        Normalization?.Apply(dst, d);
    }

    /// <summary>
    /// One pass of what <see cref="CopyRow"/>'s three passes do: x = ((float)b / divisor − μ)·(1/σ), 16 pixels a vector
    /// (widen, convert, divide, subtract, multiply; each op rounds as its scalar does, so the bits are those of the
    /// passes and of the float path).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ConvertRow512(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int d = src.Length, j = 0;
        var norm = Normalization;
        bool divide = _divisor != 1f, global = norm is not null && norm.Mean.Length == 1;
        var mean = norm is null ? default : norm.Mean;
        var inv = norm is null ? default : norm.InverseStd;
        fixed (byte* s = src)
        fixed (float* o = dst, mu = mean, iv = inv)
        {
            var div = Vector512.Create(_divisor);
            var gMu = global ? Vector512.Create(mu[0]) : default;
            var gIv = global ? Vector512.Create(iv[0]) : default;
            for (; j <= d - 16; j += 16)
            {
                var x = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(s + j)));
                if (divide) x /= div;
                if (norm is not null) x = global ? (x - gMu) * gIv : (x - Vector512.Load(mu + j)) * Vector512.Load(iv + j);
                x.Store(o + j);
            }
            for (; j < d; j++)
            {
                float x = s[j];
                if (divide) x /= _divisor;
                if (norm is not null) x = global ? (x - mu[0]) * iv[0] : (x - mu[j]) * iv[j];
                o[j] = x;
            }
        }
    }

    /// <summary>
    /// Asks the CPU to start loading row <paramref name="i"/> into cache (a hint, no effect on any value): the
    /// mini-batch gather reads rows in shuffled order, so the hardware prefetcher cannot guess the next one.
    /// </summary>
    internal unsafe void Prefetch(int i)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        int d = FeatureCount;
        if (_bytes is not null)
        {
            fixed (byte* p = &_bytes[i * d])
                for (int o = 0; o < d; o += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + o);
        }
        else if (_features is not null)
        {
            fixed (float* p = &_features[i * d])
                for (int o = 0; o < d; o += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + o);
        }
    }

    /// <summary>Bytes of each row, for statistics (null unless byte-backed). // [n, d]</summary>
    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The divisor of a byte-backed dataset.</summary>
    internal float Divisor => _divisor;

    private float[] Materialize()
    {
        int d = FeatureCount;
        var x = new float[Count * d];
        for (int i = 0; i < Count; i++) CopyRow(i, x.AsSpan(i * d, d));
        return x;
    }

    /// <summary>The same rows and labels seen through <paramref name="normalizer"/> (byte-backed: no copy of the rows is made).</summary>
    public Dataset WithNormalization(Normalizer normalizer)
    {
        if (_bytes is not null) return new Dataset(Name, _bytes, _divisor, Labels, FeatureShape, ClassNames, normalizer);
        var x = (float[])Features.Clone();
        normalizer.Apply(x, FeatureCount);
        return WithFeatures(x);
    }

    /// <summary>Regression targets, row-major, or null for a classification set. // [n, k]</summary>
    public float[]? Targets => _targets;

    /// <summary>The shape of one example's targets (its product is <see cref="TargetNames"/>.Count): [k] unless the set was made
    /// from target tensors of another shape (<see cref="FromTensors(Tensor, Tensor, string)"/>); empty for a classification set.</summary>
    public int[] TargetShape
    {
        get => _targetShape ?? (_targets is null ? [] : [TargetNames.Count]);
        private init => _targetShape = value;
    }

    private readonly int[]? _targetShape;

    /// <summary>The names of the regression targets (empty for a classification set).</summary>
    public IReadOnlyList<string> TargetNames { get; } = [];

    /// <summary>True for a regression set (float targets, no classes).</summary>
    public bool IsRegression => _targets is not null;

    /// <summary>Outputs a model needs: the number of targets (regression) or of classes.</summary>
    public int OutputCount => IsRegression ? TargetNames.Count : ClassCount;

    /// <summary>All targets as one tensor [n, …<see cref="TargetShape"/>] (copied), or null for a classification set.</summary>
    public Tensor? TargetsTensor(DType dtype = DType.Float32) =>
        _targets is null ? null : Tensor.From(_targets, [Count, .. TargetShape]).To(dtype);

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
        var y = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"Row {i} is outside 0..{Count - 1} of '{Name}'.");
            y[k] = Labels[i];
        }
        if (_bytes is not null)
        {
            var b = new byte[indices.Length * d];
            for (int k = 0; k < indices.Length; k++) _bytes.AsSpan(indices[k] * d, d).CopyTo(b.AsSpan(k * d, d));
            return new Dataset(name ?? Name, b, _divisor, y, (int[])FeatureShape.Clone(), ClassNames, Normalization);
        }
        var x = new float[indices.Length * d];
        for (int k = 0; k < indices.Length; k++) Features.AsSpan(indices[k] * d, d).CopyTo(x.AsSpan(k * d, d));
        if (_targets is not null)
        {
            int t = TargetNames.Count;
            var targets = new float[indices.Length * t];
            for (int k = 0; k < indices.Length; k++) _targets.AsSpan(indices[k] * t, t).CopyTo(targets.AsSpan(k * t, t));
            return new Dataset(name ?? Name, x, targets, (int[])FeatureShape.Clone(), TargetNames) { TargetShape = TargetShape };
        }
        return new Dataset(name ?? Name, x, y, (int[])FeatureShape.Clone(), ClassNames);
    }

    /// <summary>The same labels with other features (e.g. normalized), checked for length.</summary>
    public Dataset WithFeatures(float[] features, string? name = null) => _targets is null
        ? new(name ?? Name, features, Labels, FeatureShape, ClassNames)
        : new(name ?? Name, features, _targets, FeatureShape, TargetNames) { TargetShape = TargetShape };

    /// <summary>All features as one tensor (copied). // [n, d]</summary>
    public Tensor FeaturesTensor() => Tensor.From(Features, Count, FeatureCount);

    /// <summary>How many rows carry each label. // [classes]</summary>
    public int[] ClassCounts()
    {
        var c = new int[ClassCount];
        foreach (int y in Labels) c[y]++;
        return c;
    }

    /// <summary>"iris: 150 × [4], 3 classes" or "diabetes: 442 × [10], targets target".</summary>
    public override string ToString() => IsRegression
        ? $"{Name}: {Count} × {Descent.Shape.Format(FeatureShape)}, targets {string.Join(", ", TargetNames)}"
        : $"{Name}: {Count} × {Descent.Shape.Format(FeatureShape)}, {ClassCount} classes";
}

/// <summary>A training split and a test split of one dataset.</summary>
public sealed record DatasetPair(Dataset Train, Dataset Test);
