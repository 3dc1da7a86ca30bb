using System.Numerics.Tensors;

namespace Descent.Data;

/// <summary>How a <see cref="Normalizer"/> pools its statistics.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<NormalizationMode>))]
public enum NormalizationMode
{
    /// <summary>One mean and one standard deviation over every feature of every row (e.g. all pixels).</summary>
    Global,
    /// <summary>A mean and a standard deviation per feature (column).</summary>
    PerFeature,
}

/// <summary>
/// Z-score normalization x' = (x − μ) / σ, with μ and σ fit on the <b>training split only</b> and then applied
/// unchanged to validation and test data (fitting on all data would leak the test set into training). The notes
/// ("归一化输入", normalizing inputs): when features have very different scales the loss surface is elongated and
/// gradient descent zig-zags; features on one scale let it head more directly to the minimum — and the test set
/// must be scaled with the training set's μ and σ. σ is the population standard deviation (divide by n, as scikit-learn's <c>StandardScaler</c>);
/// a feature with σ = 0 is only centred (σ is taken as 1). Statistics are accumulated in float64.
/// </summary>
/// <remarks>The state (mode, μ, σ) is a plain record so a checkpoint can save it and a later run can apply it.</remarks>
public sealed class Normalizer
{
    /// <summary>The saveable state: mode, means and standard deviations (one entry each when global).</summary>
    public sealed record State(NormalizationMode Mode, double[] Mean, double[] Std);

    private readonly float[] _mean; // [d] or [1]
    private readonly float[] _invStd; // [d] or [1]

    private Normalizer(State state)
    {
        Parameters = state;
        _mean = state.Mean.Select(m => (float)m).ToArray();
        _invStd = state.Std.Select(s => (float)(1.0 / s)).ToArray();
    }

    /// <summary>μ and σ as fit.</summary>
    public State Parameters { get; }

    /// <summary>Fits μ and σ on <paramref name="train"/> (the training split, never validation or test).</summary>
    public static Normalizer Fit(Dataset train, NormalizationMode mode = NormalizationMode.PerFeature)
    {
        int n = train.Count, d = train.FeatureCount;
        if (n == 0) throw new ArgumentException($"Cannot fit a normalizer on '{train.Name}': it has no rows.");
        if (mode == NormalizationMode.Global && train.IsByteBacked && train.Normalization is null)
        {
            // From a histogram of the bytes: the same values b / divisor, counted instead of summed one by one.
            var counts = Histogram(train.Bytes);
            double total = train.Bytes.Length, sum = 0, ss = 0;
            for (int b = 0; b < 256; b++) sum += counts[b] * (double)(b / train.Divisor);
            double mean = sum / total;
            for (int b = 0; b < 256; b++) { double t = (double)(b / train.Divisor) - mean; ss += counts[b] * t * t; }
            return new Normalizer(new State(mode, [mean], [Safe(Math.Sqrt(ss / total))]));
        }
        return FitRows(train.Features, n, d, mode);
    }

    /// <summary>
    /// Counts of each byte value in <paramref name="bytes"/>. Four tables, one for each byte of a 32-bit word: a run of
    /// equal bytes (the zero background of an image) then increments four counters in turn instead of one, whose each
    /// increment would wait for the last one's store (bench mlp, Fashion-MNIST's 47 M pixels: fitting the normalizer at
    /// start-up 45 → 29 ms).
    /// </summary>
    internal static long[] Histogram(ReadOnlySpan<byte> bytes)
    {
        var t = new int[4 * 256];   // [4, 256]: table r counts byte r of each word (the order of bytes does not matter)
        var counts = new long[256];
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes);
        // An int table entry holds up to 2³¹ − 1: the tables are emptied into counts every 2³⁰ words.
        for (int w0 = 0; w0 < words.Length; w0 += 1 << 30)
        {
            foreach (uint w in words.Slice(w0, Math.Min(1 << 30, words.Length - w0)))
            {
                t[w & 0xFF]++;
                t[256 + ((w >> 8) & 0xFF)]++;
                t[512 + ((w >> 16) & 0xFF)]++;
                t[768 + (w >> 24)]++;
            }
            for (int b = 0; b < 256; b++) counts[b] += (long)t[b] + t[256 + b] + t[512 + b] + t[768 + b];
            System.Array.Clear(t);
        }
        int i = words.Length * 4;
        for (; i < bytes.Length; i++) counts[bytes[i]]++;
        return counts;
    }

    /// <summary>Fits μ and σ on the rows of a training tensor x [n, …] (each row one example; features are the rest).</summary>
    public static Normalizer Fit(Tensor train, NormalizationMode mode = NormalizationMode.PerFeature)
    {
        if (train.Rank < 2 || train.Shape[0] == 0) throw new ShapeException($"Cannot fit a normalizer on a tensor of shape {train.Shape}: expected [rows ≥ 1, features…].");
        return FitRows(train.ToArray<float>(), train.Shape[0], train.Length / train.Shape[0], mode);
    }

    /// <summary>A normalized copy of x [rows, …] (same shape and dtype; the graph is not recorded).</summary>
    public Tensor Transform(Tensor x)
    {
        if (x.Rank < 1) throw new ShapeException($"Normalizer.Transform: expected [rows, features…], got a scalar.");
        var v = x.ToArray<float>();
        Apply(v, x.Shape[0] == 0 ? Math.Max(1, _mean.Length) : x.Length / x.Shape[0]);
        return Tensor.Wrap(v, x.ShapeArray).To(x.DType);
    }

    /// <summary>Undoes <see cref="Transform(Tensor)"/>: x = x'·σ + μ, on a copy of x' [rows, …] (e.g. a regression model's
    /// scaled predictions back in the targets' units).</summary>
    public Tensor InverseTransform(Tensor scaled)
    {
        if (scaled.Rank < 1) throw new ShapeException($"Normalizer.InverseTransform: expected [rows, features…], got a scalar.");
        var v = scaled.ToArray<double>();
        int d = scaled.Shape[0] == 0 ? 1 : scaled.Length / scaled.Shape[0];
        var (mean, std) = (Parameters.Mean, Parameters.Std);
        if (Parameters.Mode == NormalizationMode.PerFeature && d != mean.Length)
            throw new ShapeException($"Normalizer was fit on {mean.Length} features, the data has {d}.");
        for (int i = 0; i < v.Length; i++)
        {
            int j = mean.Length == 1 ? 0 : i % d;
            v[i] = v[i] * std[j] + mean[j];
        }
        return Tensor.Wrap(v, scaled.ShapeArray).To(scaled.DType);
    }

    private static Normalizer FitRows(float[] x, int n, int d, NormalizationMode mode)
    {
        if (mode == NormalizationMode.Global)
        {
            double mean = SumOf(x, 0) / x.Length;
            double ss = SumOf(x, mean, squares: true);
            return new Normalizer(new State(mode, [mean], [Safe(Math.Sqrt(ss / x.Length))]));
        }
        var mu = new double[d];
        var sd = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mu[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) { double t = x[i * d + j] - mu[j]; sd[j] += t * t; }
        for (int j = 0; j < d; j++) sd[j] = Safe(Math.Sqrt(sd[j] / n));
        return new Normalizer(new State(mode, mu, sd));
    }

    /// <summary>
    /// Σ xᵢ (or Σ (xᵢ − c)² with <paramref name="squares"/>) in double precision, over eight interleaved partial sums
    /// combined in a fixed order: fast (no single dependency chain) and the same bits every run.
    /// </summary>
    private static double SumOf(ReadOnlySpan<float> x, double c, bool squares = false)
    {
        Span<double> acc = stackalloc double[8];
        acc.Clear();
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
            for (int l = 0; l < 8; l++)
            {
                double v = x[i + l] - c;
                acc[l] += squares ? v * v : v;
            }
        double tail = 0;
        for (; i < x.Length; i++) { double v = x[i] - c; tail += squares ? v * v : v; }
        return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
    }

    /// <summary>Restores a normalizer from its saved state.</summary>
    public static Normalizer FromState(State state)
    {
        if (state.Mean is null || state.Std is null) throw new ArgumentException("Normalizer state lacks its means or standard deviations.");
        if (state.Mean.Length != state.Std.Length || state.Mean.Length == 0)
            throw new ArgumentException($"Normalizer state has {state.Mean.Length} means and {state.Std.Length} standard deviations; expected the same non-zero count.");
        if (state.Mode == NormalizationMode.Global && state.Mean.Length != 1)
            throw new ArgumentException($"A global normalizer has one mean, the state has {state.Mean.Length}.");
        foreach (double s in state.Std)
            if (!(s > 0) || double.IsInfinity(s)) throw new ArgumentException($"Normalizer state has a standard deviation {s}; expected finite and > 0.");
        return new Normalizer(state);
    }

    /// <summary>μ per feature ([d]), or one μ for all ([1], <see cref="NormalizationMode.Global"/>).</summary>
    internal ReadOnlySpan<float> Mean => _mean;

    /// <summary>1/σ per feature ([d]), or one for all ([1]).</summary>
    internal ReadOnlySpan<float> InverseStd => _invStd;

    /// <summary>Normalizes rows in place. // features: [rows, d]</summary>
    public void Apply(Span<float> features, int d)
    {
        if (Parameters.Mode == NormalizationMode.PerFeature && d != _mean.Length)
            throw new ShapeException($"Normalizer was fit on {_mean.Length} features, the data has {d}.");
        if (features.Length % d != 0) throw new ShapeException($"{features.Length} values are not whole rows of {d} features.");
        // Two vectorized passes, x − μ then · (1/σ): each element rounded exactly as the scalar (x − μ) · (1/σ) would be.
        if (Parameters.Mode == NormalizationMode.Global)
        {
            TensorPrimitives.Subtract(features, _mean[0], features);
            TensorPrimitives.Multiply(features, _invStd[0], features);
            return;
        }
        for (int r = 0; r < features.Length; r += d)
        {
            var row = features.Slice(r, d);
            TensorPrimitives.Subtract(row, _mean, row);
            TensorPrimitives.Multiply(row, _invStd, row);
        }
    }

    /// <summary>A normalized copy (or, for a byte-backed set, a normalized view) of <paramref name="data"/> (labels shared).</summary>
    public Dataset Transform(Dataset data) => data.WithNormalization(this);

    private static double Safe(double s) => s > 0 && !double.IsInfinity(s) ? s : 1.0;
}
