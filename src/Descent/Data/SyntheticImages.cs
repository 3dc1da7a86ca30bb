namespace Descent.Data;

/// <summary>
/// A small image set for convolutional networks, drawn from our seeded <see cref="Rng"/>: <b>bars</b>, images
/// [1, size, size] of one bright line on a dark background, class by its direction — 0 horizontal, 1 vertical,
/// 2 diagonal (↘), 3 anti-diagonal (↙) — at a random offset, with Gaussian pixel noise. A line's direction is a local
/// pattern that a 3×3 filter sees anywhere in the image, so a tiny CNN learns it in an epoch or two; it is the data of
/// the tests and of quick runs that need images without a download.
/// </summary>
public static class SyntheticImages
{
    /// <summary>The names <see cref="Generate"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["bars"];

    /// <summary>The directions, in class order.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["horizontal", "vertical", "diagonal", "anti-diagonal"];

    /// <summary>Draws <paramref name="n"/> images of <paramref name="size"/>×<paramref name="size"/>; labels cycle through the classes.</summary>
    public static Dataset Generate(int n, int size, double noise, Rng rng, string name = "bars")
    {
        if (n < 1) throw new ArgumentException($"bars: n must be ≥ 1, got {n}.");
        if (size < 4 || size > 256) throw new ArgumentException($"bars: size must be in 4..256, got {size}.");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentException($"bars: noise must be a finite number ≥ 0, got {noise}.");
        int d = size * size;
        var x = new float[n * d];   // [n, 1, size, size]
        var y = new int[n];         // [n]
        for (int i = 0; i < n; i++)
        {
            int label = i % ClassNames.Count;
            var img = x.AsSpan(i * d, d);
            int offset = (int)(rng.NextDouble() * size);              // the row, column or diagonal the line lies on
            for (int t = 0; t < size; t++)
            {
                (int r, int c) = label switch
                {
                    0 => (offset, t),
                    1 => (t, offset),
                    2 => (t, (t + offset) % size),
                    _ => (t, (size - 1 - t + offset) % size),
                };
                img[r * size + c] = 1f;
            }
            if (noise > 0) for (int k = 0; k < d; k++) img[k] += (float)(noise * rng.NextNormal());
            y[i] = label;
        }
        return new Dataset(name, x, y, [1, size, size], ClassNames);
    }
}
