namespace Descent.Lab;

/// <summary>
/// Noisy gradients of the elongated bowl as a mini-batch gives them (the S in SGD). The bowl is the mean of
/// N per-sample losses ℓᵢ(x) = 0.1(x₁ − uᵢ)² + (x₂ − vᵢ)² with (uᵢ, vᵢ) ~ N(0, 1) centred so their mean is exactly 0;
/// then (1/N)Σℓᵢ = 0.1x₁² + x₂² + const and the full gradient is the bowl's. A mini-batch B of <see cref="BatchSize"/>
/// samples gives ∇ = (0.2(x₁ − ū_B), 2(x₂ − v̄_B)): the true gradient plus noise of std 0.2/√|B| and 2/√|B|.
/// Batches are drawn from their own seeded stream, the same for every optimizer (common random numbers: a fair race).
/// </summary>
internal sealed class MiniBatchGradient
{
    private readonly double[] _u, _v;
    private readonly ulong _seed;

    /// <summary>N samples drawn from <paramref name="seed"/>; batches of <paramref name="batchSize"/>.</summary>
    public MiniBatchGradient(int samples, int batchSize, ulong seed)
    {
        if (samples < 2 || batchSize < 1 || batchSize > samples)
            throw new ArgumentException($"MiniBatchGradient: need 2 ≤ batch ≤ samples, got batch {batchSize} of {samples}.");
        var rng = new Rng(seed, 21);
        _u = Enumerable.Range(0, samples).Select(_ => rng.NextNormal()).ToArray();
        _v = Enumerable.Range(0, samples).Select(_ => rng.NextNormal()).ToArray();
        double mu = _u.Average(), mv = _v.Average();
        for (int i = 0; i < samples; i++) { _u[i] -= mu; _v[i] -= mv; }
        BatchSize = batchSize;
        _seed = seed;
    }

    /// <summary>Samples per mini-batch.</summary>
    public int BatchSize { get; }

    /// <summary>A fresh stream of batches (call once per run, so every optimizer sees the same batches).</summary>
    public Func<double[], double[]> Stream()
    {
        var rng = new Rng(_seed, 22);
        return x =>
        {
            double su = 0, sv = 0;
            for (int k = 0; k < BatchSize; k++)
            {
                int i = rng.NextInt(_u.Length);
                su += _u[i];
                sv += _v[i];
            }
            return [0.2 * (x[0] - su / BatchSize), 2 * (x[1] - sv / BatchSize)];
        };
    }
}
