using System.Globalization;

namespace Descent.Data;

/// <summary>
/// Random data augmentation of image mini-batches, in text form <c>flip</c>, <c>shift:N</c> or both, <c>flip,shift:2</c>
/// (<c>none</c>: off). Applied by the <see cref="DataLoader"/> to each training batch after it is gathered; evaluation
/// and prediction see the images as they are.
/// </summary>
/// <remarks>
/// For each example of the batch, in batch order, the draws are: flip ~ Bernoulli(½) (with <c>flip</c>), then
/// dy, dx ~ uniform integers in [−N, N] (with <c>shift:N</c>). The example's image x [C, H, W] becomes
/// <code>
/// f(c, i, j) = flip ? x(c, i, W−1−j) : x(c, i, j)          (horizontal flip)
/// y(c, i, j) = f(c, i−dy, j−dx)   if 0 ≤ i−dy &lt; H and 0 ≤ j−dx &lt; W
///            = fill(c, i, j)      otherwise                (the pixels shifted in)
/// </code>
/// This is torchvision's <c>RandomHorizontalFlip()</c> with <c>RandomCrop(H, padding=N)</c> (crop offset t ∈ [0, 2N] is
/// dy = N − t), and Keras' <c>RandomFlip("horizontal")</c> with <c>RandomTranslation(fill_mode="constant")</c> in whole
/// pixels. The fill is a raw 0 pixel as the input normalization maps it (−μ/σ; 0 without normalization): the zero
/// padding torchvision applies before <c>Normalize</c>. The draws of batch b of epoch e come from the run's seed on
/// stream <see cref="StreamOf"/>(e, b), so a batch is augmented the same way whatever came before it (a resume, even
/// mid-epoch) and on any number of threads (the loader runs on one).
/// </remarks>
public sealed record Augmentation
{
    /// <summary>The base RNG stream of the draws (batch b of epoch e uses <see cref="StreamOf"/>).</summary>
    public const ulong Stream = 0xA060_0000_0000_0000;

    /// <summary>Random horizontal flip with probability ½.</summary>
    public bool Flip { get; init; }

    /// <summary>Random translation by up to this many pixels in each direction, filled with the normalized zero (0: off).</summary>
    public int Shift { get; init; }

    /// <summary>Parses <c>flip</c>, <c>shift:N</c>, <c>flip,shift:N</c> (any order) or <c>none</c> (null).</summary>
    /// <exception cref="ArgumentException">An unknown part, a repeated one or a bad N; the message quotes the text.</exception>
    public static Augmentation? Parse(string text)
    {
        string t = text.Trim();
        if (t is "none" or "") return t == "none" ? null : throw Bad(text, "it is empty");
        bool flip = false;
        int? shift = null;
        foreach (string raw in t.Split(','))
        {
            string part = raw.Trim();
            if (part == "flip")
            {
                if (flip) throw Bad(text, "'flip' is given twice");
                flip = true;
            }
            else if (part.StartsWith("shift:", StringComparison.Ordinal))
            {
                if (shift is not null) throw Bad(text, "'shift' is given twice");
                shift = int.TryParse(part.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
                    : throw Bad(text, $"'{part}' needs a whole number of pixels ≥ 1, e.g. shift:2");
            }
            else throw Bad(text, $"'{part}' is not an augmentation");
        }
        return new Augmentation { Flip = flip, Shift = shift ?? 0 };
    }

    private static ArgumentException Bad(string text, string why) =>
        new($"--augment '{text}': {why}; expected flip, shift:N, both (flip,shift:2) or none.");

    /// <summary>The canonical text form, e.g. <c>flip,shift:2</c>.</summary>
    public override string ToString() =>
        string.Join(",", new[] { Flip ? "flip" : null, Shift > 0 ? $"shift:{Shift.ToString(CultureInfo.InvariantCulture)}" : null }.OfType<string>());

    /// <summary>Checks that examples of <paramref name="exampleShape"/> are images [C, H, W] the shift fits in.</summary>
    /// <exception cref="ArgumentException">Not an image, or N ≥ H or W; the message names the data set.</exception>
    public void Check(ReadOnlySpan<int> exampleShape, string dataName)
    {
        if (exampleShape.Length != 3)
            throw new ArgumentException($"--augment {this} needs image data (examples of shape [C, H, W]); '{dataName}' has examples of shape {Shape.Format(exampleShape.ToArray())}.");
        if (Shift >= exampleShape[1] || Shift >= exampleShape[2])
            throw new ArgumentException($"--augment {this}: a shift of {Shift} pixels moves a {exampleShape[1]}×{exampleShape[2]} image of '{dataName}' out of sight; use a shift below {Math.Min(exampleShape[1], exampleShape[2])}.");
    }

    /// <summary>The RNG stream of batch <paramref name="batch"/> of epoch <paramref name="epoch"/>.</summary>
    public static ulong StreamOf(int epoch, int batch) => Stream + ((ulong)epoch << 24) + (ulong)batch;

    /// <summary>Augments the first <paramref name="count"/> images of <paramref name="batch"/> in place (see the remarks).</summary>
    /// <param name="batch">The images, row after row. // [count, C·H·W]</param>
    /// <param name="count">Number of images.</param>
    /// <param name="shape">One image's shape [C, H, W].</param>
    /// <param name="fill">The value of each pixel shifted in. // [C·H·W]</param>
    /// <param name="rng">The batch's generator (seeded on <see cref="StreamOf"/>).</param>
    /// <param name="scratch">One image of working space. // [C·H·W]</param>
    public void Apply<T>(Span<T> batch, int count, ReadOnlySpan<int> shape, ReadOnlySpan<T> fill, Rng rng, Span<T> scratch) where T : unmanaged
    {
        int d = shape[0] * shape[1] * shape[2];
        if (batch.Length < count * d || fill.Length != d || scratch.Length < d)
            throw new ShapeException($"augmentation of {count} images {Shape.Format(shape.ToArray())} got a batch of {batch.Length} values, a fill of {fill.Length} and scratch of {scratch.Length}.");
        for (int n = 0; n < count; n++)
        {
            bool flip = Flip && rng.NextInt(2) == 1;
            int dy = Shift > 0 ? rng.NextInt(2 * Shift + 1) - Shift : 0;
            int dx = Shift > 0 ? rng.NextInt(2 * Shift + 1) - Shift : 0;
            if (!flip && dy == 0 && dx == 0) continue;
            var image = batch.Slice(n * d, d);   // [C, H, W]
            image.CopyTo(scratch);
            Transform(scratch[..d], shape, fill, flip, dy, dx, image);
        }
    }

    /// <summary>
    /// One image's transform: <paramref name="destination"/>(c, i, j) = f(c, i−dy, j−dx) inside the image, else
    /// <paramref name="fill"/>(c, i, j), where f is <paramref name="source"/> flipped left–right when <paramref name="flip"/>.
    /// </summary>
    /// <param name="source">The image. // [C, H, W]</param>
    /// <param name="shape">Its shape [C, H, W].</param>
    /// <param name="fill">The value of each pixel shifted in. // [C, H, W]</param>
    /// <param name="flip">Flip left–right first.</param>
    /// <param name="dy">Rows down (negative: up).</param>
    /// <param name="dx">Columns right (negative: left).</param>
    /// <param name="destination">The transformed image, not overlapping the source. // [C, H, W]</param>
    public static void Transform<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> shape, ReadOnlySpan<T> fill, bool flip, int dy, int dx, Span<T> destination)
        where T : unmanaged
    {
        int c = shape[0], h = shape[1], w = shape[2];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h; i++)
            {
                int row = (ch * h + i) * w, si = i - dy;
                for (int j = 0; j < w; j++)
                {
                    int sj = j - dx;
                    destination[row + j] = si >= 0 && si < h && sj >= 0 && sj < w
                        ? source[(ch * h + si) * w + (flip ? w - 1 - sj : sj)]
                        : fill[row + j];
                }
            }
    }
}
