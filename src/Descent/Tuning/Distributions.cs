using System.Globalization;

namespace Descent.Tuning;

/// <summary>
/// The range a hyperparameter is drawn from. Every distribution maps its values to a unit coordinate
/// u ∈ [0, 1] (the "right scale" of the notes): samplers work on u, so log-uniform α and 1 − β on a log scale
/// are sampled uniformly where it matters. Values are <see cref="double"/>, <see cref="long"/> or <see cref="string"/>.
/// </summary>
public abstract class Distribution
{
    /// <summary>The JSON "type" of this distribution.</summary>
    public abstract string Kind { get; }

    /// <summary>Whether the unit coordinate is continuous (false for categorical choices).</summary>
    public virtual bool IsNumeric => true;

    /// <summary>Maps a unit coordinate u ∈ [0, 1] to a value.</summary>
    public abstract object FromUnit(double u);

    /// <summary>Maps a value to its unit coordinate u ∈ [0, 1].</summary>
    public abstract double ToUnit(object value);

    /// <summary>Draws one value: u ~ U(0, 1) mapped by <see cref="FromUnit"/>.</summary>
    public virtual object Sample(Rng rng) => FromUnit(rng.NextDouble());

    /// <summary>A sub-range [lo, hi] of the unit coordinate as a new distribution of the same kind (coarse to fine).</summary>
    public abstract Distribution Narrow(double lo, double hi);

    /// <summary>Brings a stored value (a double from JSON or SQLite) to this distribution's value type.</summary>
    public virtual object Canonical(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    /// <summary><paramref name="n"/> evenly spaced points on the unit coordinate (the centres of n cells).</summary>
    public virtual IReadOnlyList<object> GridPoints(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "A grid needs at least 1 point per parameter.");
        var points = new List<object>();
        for (int i = 0; i < n; i++)
        {
            var v = FromUnit(n == 1 ? 0.5 : i / (double)(n - 1));
            if (!points.Any(p => p.Equals(v))) points.Add(v);
        }
        return points;
    }

    internal static double Clamp01(double u) => Math.Clamp(u, 0.0, 1.0);

    internal static void CheckRange(double low, double high, string what)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
            throw new ArgumentException($"{what} needs finite low < high, got low = {low.ToString(CultureInfo.InvariantCulture)}, high = {high.ToString(CultureInfo.InvariantCulture)}.");
    }
}

/// <summary>x ~ U(low, high); u = (x − low)/(high − low).</summary>
public sealed class UniformDistribution : Distribution
{
    /// <summary>U(<paramref name="low"/>, <paramref name="high"/>), finite low &lt; high.</summary>
    public UniformDistribution(double low, double high) { CheckRange(low, high, "uniform"); Low = low; High = high; }
    /// <summary>The lower bound (included).</summary>
    public double Low { get; }
    /// <summary>The upper bound (included for integers).</summary>
    public double High { get; }
    /// <inheritdoc/>
    public override string Kind => "uniform";
    /// <inheritdoc/>
    public override object FromUnit(double u) => Low + (High - Low) * Clamp01(u);
    /// <inheritdoc/>
    public override double ToUnit(object value) => Clamp01((Convert.ToDouble(value, CultureInfo.InvariantCulture) - Low) / (High - Low));
    /// <inheritdoc/>
    public override Distribution Narrow(double lo, double hi) => new UniformDistribution((double)FromUnit(lo), (double)FromUnit(hi));
}

/// <summary>
/// log x ~ U(log low, log high) — the scale for the learning rate α (notes: sample 10^r, r ~ U(−4, 0)).
/// u = (ln x − ln low)/(ln high − ln low).
/// </summary>
public sealed class LogUniformDistribution : Distribution
{
    /// <summary>Log-uniform on [<paramref name="low"/>, <paramref name="high"/>], 0 &lt; low &lt; high.</summary>
    public LogUniformDistribution(double low, double high)
    {
        CheckRange(low, high, "log-uniform");
        if (!(low > 0)) throw new ArgumentException($"log-uniform needs low > 0, got {low.ToString(CultureInfo.InvariantCulture)}.");
        Low = low; High = high;
    }
    /// <summary>The lower bound (included).</summary>
    public double Low { get; }
    /// <summary>The upper bound (included for integers).</summary>
    public double High { get; }
    /// <inheritdoc/>
    public override string Kind => "log_uniform";
    /// <inheritdoc/>
    public override object FromUnit(double u) => Math.Exp(Math.Log(Low) + (Math.Log(High) - Math.Log(Low)) * Clamp01(u));
    /// <inheritdoc/>
    public override double ToUnit(object value) =>
        Clamp01((Math.Log(Convert.ToDouble(value, CultureInfo.InvariantCulture)) - Math.Log(Low)) / (Math.Log(High) - Math.Log(Low)));
    /// <inheritdoc/>
    public override Distribution Narrow(double lo, double hi) => new LogUniformDistribution((double)FromUnit(lo), (double)FromUnit(hi));
}

/// <summary>
/// For β-like parameters (momentum, Adam's β₁/β₂) whose effect is ≈ an average over 1/(1 − β) steps:
/// log(1 − β) ~ U(log(1 − high), log(1 − low)), so 0.9 → 0.99 gets as many samples as 0.99 → 0.999.
/// u grows with β.
/// </summary>
public sealed class OneMinusLogUniformDistribution : Distribution
{
    /// <summary>β in [<paramref name="low"/>, <paramref name="high"/>] with 1 − β log-uniform; high &lt; 1.</summary>
    public OneMinusLogUniformDistribution(double low, double high)
    {
        CheckRange(low, high, "one-minus-log-uniform");
        if (!(high < 1)) throw new ArgumentException($"one-minus-log-uniform needs high < 1 (1 − β > 0), got {high.ToString(CultureInfo.InvariantCulture)}.");
        Low = low; High = high;
    }
    /// <summary>The lower bound (included).</summary>
    public double Low { get; }
    /// <summary>The upper bound (included for integers).</summary>
    public double High { get; }
    /// <inheritdoc/>
    public override string Kind => "one_minus_log_uniform";
    private double A => Math.Log(1 - Low);   // ln(1 − low), the larger
    private double B => Math.Log(1 - High);  // ln(1 − high), the smaller
    /// <inheritdoc/>
    public override object FromUnit(double u) => 1 - Math.Exp(A + (B - A) * Clamp01(u));
    /// <inheritdoc/>
    public override double ToUnit(object value) => Clamp01((Math.Log(1 - Convert.ToDouble(value, CultureInfo.InvariantCulture)) - A) / (B - A));
    /// <inheritdoc/>
    public override Distribution Narrow(double lo, double hi) => new OneMinusLogUniformDistribution((double)FromUnit(lo), (double)FromUnit(hi));
}

/// <summary>
/// An integer in [low, high] (both included), uniform or, with <c>Log</c>, log-uniform (hidden units 16…1024).
/// u is the continuous coordinate; the value is rounded to the nearest integer.
/// </summary>
public sealed class IntDistribution : Distribution
{
    /// <summary>Integers in [<paramref name="low"/>, <paramref name="high"/>], log-uniform with <paramref name="log"/> (then low ≥ 1).</summary>
    public IntDistribution(long low, long high, bool log = false)
    {
        if (low > high) throw new ArgumentException($"int needs low ≤ high, got low = {low}, high = {high}.");
        if (log && low < 1) throw new ArgumentException($"log int needs low ≥ 1, got {low}.");
        Low = low; High = high; Log = log;
    }
    /// <summary>The lower bound (included).</summary>
    public long Low { get; }
    /// <summary>The upper bound (included for integers).</summary>
    public long High { get; }
    /// <summary>Whether the integers are drawn log-uniformly.</summary>
    public bool Log { get; }
    /// <inheritdoc/>
    public override string Kind => "int";
    // The continuous range [low − 0.5, high + 0.5] so each integer gets an equal share (on its scale).
    private double Lo => Log ? Math.Log(Low - 0.5 < 0.5 ? 0.5 : Low - 0.5) : Low - 0.5;
    private double Hi => Log ? Math.Log(High + 0.5) : High + 0.5;
    /// <inheritdoc/>
    public override object FromUnit(double u)
    {
        double t = Lo + (Hi - Lo) * Clamp01(u);
        return Math.Clamp((long)Math.Round(Log ? Math.Exp(t) : t), Low, High);
    }
    /// <inheritdoc/>
    public override double ToUnit(object value)
    {
        double x = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return Clamp01(((Log ? Math.Log(x) : x) - Lo) / (Hi - Lo));
    }
    /// <inheritdoc/>
    public override object Canonical(object value) => (long)Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture));
    /// <inheritdoc/>
    public override Distribution Narrow(double lo, double hi)
    {
        long a = (long)FromUnit(lo), b = (long)FromUnit(hi);
        return new IntDistribution(a, Math.Max(a, b), Log);
    }
}

/// <summary>One of a list of choices (strings or numbers), each with probability 1/k. u = index/(k − 1).</summary>
public sealed class CategoricalDistribution : Distribution
{
    /// <summary>One of <paramref name="choices"/> (at least one).</summary>
    public CategoricalDistribution(IReadOnlyList<object> choices)
    {
        if (choices.Count == 0) throw new ArgumentException("categorical needs at least one choice, got none.");
        Choices = choices.Select(Normalize).ToArray();
    }
    /// <summary>The choices, in the order given.</summary>
    public IReadOnlyList<object> Choices { get; }
    /// <inheritdoc/>
    public override string Kind => "categorical";
    /// <inheritdoc/>
    public override bool IsNumeric => false;
    /// <inheritdoc/>
    public override object Sample(Rng rng) => Choices[rng.NextInt(Choices.Count)];
    /// <inheritdoc/>
    public override object FromUnit(double u) => Choices[(int)Math.Round(Clamp01(u) * (Choices.Count - 1))];
    /// <inheritdoc/>
    public override double ToUnit(object value) => Choices.Count == 1 ? 0.5 : IndexOf(value) / (double)(Choices.Count - 1);
    /// <inheritdoc/>
    public override object Canonical(object value) => Choices[IndexOf(value)];
    /// <inheritdoc/>
    public override IReadOnlyList<object> GridPoints(int n) => Choices;
    /// <inheritdoc/>
    public override Distribution Narrow(double lo, double hi) => this;

    /// <summary>The categorical restricted to <paramref name="kept"/> (order of the original list).</summary>
    public CategoricalDistribution Keep(IEnumerable<object> kept)
    {
        var set = kept.Select(Normalize).ToHashSet();
        var left = Choices.Where(set.Contains).ToArray();
        return left.Length == 0 ? this : new CategoricalDistribution(left);
    }

    /// <summary>The index of a choice, or −1 (numbers compare by value, so 64, 64L and 64.0 are one choice).</summary>
    public int TryIndexOf(object value)
    {
        var v = Normalize(value);
        for (int i = 0; i < Choices.Count; i++) if (Choices[i].Equals(v)) return i;
        return -1;
    }

    /// <summary>The index of a choice; an error if it is not one.</summary>
    public int IndexOf(object value)
    {
        int i = TryIndexOf(value);
        if (i >= 0) return i;
        throw new ArgumentException($"'{Format(value)}' is not one of the choices [{string.Join(", ", Choices.Select(Format))}].");
    }

    internal static object Normalize(object v) => v switch
    {
        int i => (double)i,
        long l => (double)l,
        float f => (double)f,
        double d => d,
        bool b => b ? "true" : "false",
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && s.Trim().Length > 0 && !s.Any(char.IsLetter) ? d : s,
        _ => v.ToString() ?? "",
    };

    internal static string Format(object v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : v.ToString() ?? "";
}
