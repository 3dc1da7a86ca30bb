using System.Numerics;

namespace Descent;

/// <summary>
/// Descent's own seeded random number generator: <b>xoshiro256**</b> (Blackman and Vigna, 2018),
/// seeded through <b>SplitMix64</b>. Every number it gives depends only on the seed and on
/// IEEE-754 basic arithmetic, so the same seed gives bitwise the same stream on every machine
/// and every .NET version (we never use <see cref="System.Random"/> for model numbers).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Uniform double in [0, 1): the top 53 bits of a draw times 2⁻⁵³; float: the top 24 bits times 2⁻²⁴.</item>
/// <item>Integers in [0, n): Lemire's multiply-and-reject method (unbiased).</item>
/// <item>Normal: Marsaglia's polar method; the logarithm is <see cref="PortableMath.Log"/>, built from
/// + − × ÷ only, so no platform math library enters the stream. The second value of each pair is discarded,
/// so the state is just four 64-bit words.</item>
/// <item>Permutation: Fisher–Yates, from the last index down.</item>
/// </list>
/// </remarks>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    private static readonly object GlobalLock = new();
    private static Rng _global = new(0);

    /// <summary>
    /// Reseeds the process-wide source that layers and tensors draw from when no <see cref="Rng"/> is passed, as PyTorch's
    /// <c>torch.manual_seed</c>: after <c>Rng.ManualSeed(42)</c> the same program builds the same model. Before any call the
    /// source is seeded with 0, so a program is deterministic either way. An explicit <see cref="Rng"/> always wins.
    /// </summary>
    public static void ManualSeed(ulong seed)
    {
        lock (GlobalLock) _global = new Rng(seed);
    }

    /// <summary>
    /// A new generator forked from the process-wide source (each call advances it by one draw; thread-safe): what a layer
    /// made without an <see cref="Rng"/> uses. The model a program builds depends only on the seed and on the order in which
    /// its layers are made.
    /// </summary>
    public static Rng FromGlobal()
    {
        lock (GlobalLock) return _global.Fork();
    }

    /// <summary>A generator whose stream is fixed by <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator for sub-stream <paramref name="stream"/> of <paramref name="seed"/>
    /// (e.g. one for weights, one for dropout, one for shuffling), independent of the others.</summary>
    public Rng(ulong seed, ulong stream) : this(Mix(seed, stream)) { }

    private Rng(ulong s0, ulong s1, ulong s2, ulong s3) => (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

    /// <summary>The four state words, for checkpoints; <see cref="FromState"/> restores them.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a generator saved with <see cref="GetState"/>.</summary>
    public static Rng FromState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"Rng state must have 4 words, got {state.Length}.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("Rng state must not be all zero.", nameof(state));
        return new Rng(state[0], state[1], state[2], state[3]);
    }

    /// <summary>Sets this generator's state in place (see <see cref="GetState"/>).</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        var r = FromState(state);
        (_s0, _s1, _s2, _s3) = (r._s0, r._s1, r._s2, r._s3);
    }

    /// <summary>Restarts this generator on sub-stream <paramref name="stream"/> of <paramref name="seed"/>, in place: the state
    /// <c>new Rng(seed, stream)</c> starts with, without allocating one.</summary>
    public void Reseed(ulong seed, ulong stream)
    {
        ulong x = Mix(seed, stream);
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A new generator seeded from this one's next draw (this one advances by one).</summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, <paramref name="n"/>), unbiased (Lemire 2019).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "NextInt needs n > 0.");
        ulong range = (ulong)n;
        ulong x = NextUInt64() >> 32;
        ulong prod = x * range;
        ulong low = prod & 0xFFFFFFFF;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                x = NextUInt64() >> 32;
                prod = x * range;
                low = prod & 0xFFFFFFFF;
            }
        }
        return (int)(prod >> 32);
    }

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>A standard normal draw N(0, 1) by Marsaglia's polar method.</summary>
    public double NextNormal()
    {
        while (true)
        {
            double u = 2.0 * NextDouble() - 1.0;
            double v = 2.0 * NextDouble() - 1.0;
            double s = u * u + v * v;
            if (s >= 1.0 || s == 0.0) continue;
            return u * Math.Sqrt(-2.0 * PortableMath.Log(s) / s);
        }
    }

    /// <summary>A normal draw N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public double Normal(double mean, double std) => mean + std * NextNormal();

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>Fills <paramref name="destination"/> with U[low, high).</summary>
    public void FillUniform(Span<float> destination, double low, double high)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)Uniform(low, high);
    }

    /// <inheritdoc cref="FillUniform(Span{float}, double, double)"/>
    public void FillUniform(Span<double> destination, double low, double high)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Uniform(low, high);
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, std²).</summary>
    public void FillNormal(Span<float> destination, double mean, double std)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)Normal(mean, std);
    }

    /// <inheritdoc cref="FillNormal(Span{float}, double, double)"/>
    public void FillNormal(Span<double> destination, double mean, double std)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Normal(mean, std);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>A random permutation of 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Mix(ulong seed, ulong stream)
    {
        ulong x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        return SplitMix64(ref x);
    }
}
