namespace Descent.Tuning;

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al., 2011), one parameter at a time on the unit coordinate.
/// After <c>Startup</c> random trials, the complete trials are split into the best γ·n ("good", density l(x)) and
/// the rest ("bad", density g(x)); each density is a mixture of truncated normals on [0, 1], one per observation
/// plus a flat prior; <c>Candidates</c> points are drawn from l and the one maximizing l(x)/g(x) (expected improvement)
/// is proposed. Categoricals use smoothed frequencies instead of normals.
/// </summary>
public sealed class TpeSampler(int startup = 10, double gamma = 0.25, int candidates = 24) : ISampler
{
    /// <inheritdoc/>
    public string Name => "tpe";

    /// <summary>Random trials before TPE starts modelling.</summary>
    public int Startup { get; } = startup;
    /// <summary>γ: the fraction of complete trials taken as the good ones.</summary>
    public double Gamma { get; } = gamma is > 0 and < 1 ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in (0, 1).");
    /// <summary>Points drawn from l(x) per parameter; the best ratio l/g wins.</summary>
    public int Candidates { get; } = candidates;

    /// <inheritdoc/>
    public Dictionary<string, object> Sample(SamplingContext context)
    {
        var ranked = context.Ranked();
        if (ranked.Count < Math.Max(2, Startup)) return context.Space.Sample(context.Rng);
        int nGood = Math.Clamp((int)Math.Ceiling(Gamma * ranked.Count), 1, 25);
        var good = ranked.Take(nGood).ToList();
        var bad = ranked.Skip(nGood).ToList();
        var result = new Dictionary<string, object>();
        foreach (var (name, d) in context.Space.Parameters)
        {
            var gu = Units(good, name, d);
            var bu = Units(bad, name, d);
            result[name] = d is CategoricalDistribution c
                ? SampleCategorical(c, Indices(good, name, c), Indices(bad, name, c), context.Rng)
                : d.FromUnit(SampleNumeric(gu, bu, context.Rng));
        }
        return result;
    }

    // Choices outside the current (narrowed) list are ignored.
    private static List<int> Indices(List<TrialRecord> trials, string name, CategoricalDistribution c) =>
        trials.Where(t => t.Params.ContainsKey(name)).Select(t => c.TryIndexOf(t.Params[name])).Where(i => i >= 0).ToList();

    // Values outside the current (narrowed) range are left out rather than piled up at its edges.
    private static List<double> Units(List<TrialRecord> trials, string name, Distribution d) =>
        trials.Where(t => t.Params.ContainsKey(name) && d.IsNumeric && Inside(d, t.Params[name])).Select(t => d.ToUnit(t.Params[name])).ToList();

    private static bool Inside(Distribution d, object value)
    {
        double v = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        double back = Convert.ToDouble(d.FromUnit(d.ToUnit(value)), System.Globalization.CultureInfo.InvariantCulture);
        return Math.Abs(back - v) <= 1e-9 * Math.Max(1, Math.Abs(v));
    }

    private double SampleNumeric(List<double> good, List<double> bad, Rng rng)
    {
        var l = new Parzen(good);
        var g = new Parzen(bad);
        double best = 0.5, bestScore = double.NegativeInfinity;
        for (int i = 0; i < Candidates; i++)
        {
            double x = l.Sample(rng);
            double score = Math.Log(l.Pdf(x) + 1e-300) - Math.Log(g.Pdf(x) + 1e-300);
            if (score > bestScore) { bestScore = score; best = x; }
        }
        return best;
    }

    private object SampleCategorical(CategoricalDistribution c, List<int> good, List<int> bad, Rng rng)
    {
        int k = c.Choices.Count;
        double[] l = new double[k], g = new double[k];
        for (int i = 0; i < k; i++) { l[i] = 1.0 / k; g[i] = 1.0 / k; } // prior weight 1
        foreach (var i in good) l[i] += 1;
        foreach (var i in bad) g[i] += 1;
        double ls = l.Sum(), gs = g.Sum();
        int best = 0; double bestScore = double.NegativeInfinity;
        for (int n = 0; n < Candidates; n++)
        {
            double r = rng.NextDouble() * ls; int i = 0;
            while (i < k - 1 && r >= l[i]) { r -= l[i]; i++; }
            double score = Math.Log(l[i] / ls) - Math.Log(g[i] / gs);
            if (score > bestScore) { bestScore = score; best = i; }
        }
        return c.Choices[best];
    }

    /// <summary>A mixture of normals truncated to [0, 1]: one per observation (bandwidth = the wider gap to its neighbours) plus a flat prior N(0.5, 1).</summary>
    private sealed class Parzen
    {
        private readonly double[] _mu, _sigma;

        public Parzen(List<double> points)
        {
            var sorted = points.OrderBy(x => x).ToList();
            int n = sorted.Count;
            _mu = [.. sorted, 0.5];
            _sigma = new double[n + 1];
            double minSigma = 1.0 / Math.Min(100, n + 1);
            for (int i = 0; i < n; i++)
            {
                double left = sorted[i] - (i == 0 ? 0 : sorted[i - 1]);
                double right = (i == n - 1 ? 1 : sorted[i + 1]) - sorted[i];
                _sigma[i] = Math.Clamp(Math.Max(left, right), minSigma, 1.0);
            }
            _sigma[n] = 1.0;
        }

        public double Sample(Rng rng)
        {
            int j = rng.NextInt(_mu.Length);
            for (int attempt = 0; attempt < 100; attempt++)
            {
                double x = rng.Normal(_mu[j], _sigma[j]);
                if (x is >= 0 and <= 1) return x;
            }
            return Math.Clamp(_mu[j], 0, 1);
        }

        public double Pdf(double x)
        {
            double sum = 0;
            for (int j = 0; j < _mu.Length; j++)
            {
                double s = _sigma[j], z = (x - _mu[j]) / s;
                double mass = Phi((1 - _mu[j]) / s) - Phi(-_mu[j] / s);
                sum += Math.Exp(-0.5 * z * z) / (s * Math.Sqrt(2 * Math.PI)) / Math.Max(mass, 1e-12);
            }
            return sum / _mu.Length;
        }

        private static double Phi(double z) => 0.5 * (1 + SpecialFunctions.Erf(z / Math.Sqrt(2)));
    }
}
