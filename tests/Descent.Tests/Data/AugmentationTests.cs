using Descent.Data;

namespace Descent.Tests.Data;

/// <summary>Image augmentation: the flip and shift definition on a tiny image, the draws, the text form, and where it is refused.</summary>
public class AugmentationTests
{
    // One 1×3×4 image with pixels 1..12, row by row:
    //  1  2  3  4
    //  5  6  7  8
    //  9 10 11 12
    private static readonly int[] Shape3x4 = [1, 3, 4];
    private static readonly float[] Image = Enumerable.Range(1, 12).Select(v => (float)v).ToArray();
    private static readonly float[] Fill = Enumerable.Range(0, 12).Select(v => -100f - v).ToArray();   // −100 − index: which fill went where

    private static float[] Transform(bool flip, int dy, int dx)
    {
        var dst = new float[12];
        Augmentation.Transform<float>(Image, Shape3x4, Fill, flip, dy, dx, dst);
        return dst;
    }

    [Fact]
    public void FlipMirrorsEachRow()
    {
        Assert.Equal([4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9], Transform(flip: true, 0, 0));
        Assert.Equal(Image, Transform(flip: false, 0, 0));
    }

    [Fact]
    public void ShiftMovesTheImageAndFillsWhatComesIn()
    {
        // Down 1, left 1: y(i, j) = x(i − 1, j + 1); row 0 and column 3 are filled.
        Assert.Equal([-100, -101, -102, -103, 2, 3, 4, -107, 6, 7, 8, -111], Transform(flip: false, dy: 1, dx: -1));
        // Up 2, right 2: only x(2, 0..1) stays in sight, at (0, 2..3).
        Assert.Equal([-100, -101, 9, 10, -104, -105, -106, -107, -108, -109, -110, -111], Transform(flip: false, dy: -2, dx: 2));
    }

    [Fact]
    public void FlipComesBeforeTheShift()
    {
        // Flipped rows [4 3 2 1], then right 1: y(i, j) = flipped(i, j − 1).
        Assert.Equal([-100, 4, 3, 2, -104, 8, 7, 6, -108, 12, 11, 10], Transform(flip: true, dy: 0, dx: 1));
    }

    [Fact]
    public void ChannelsMoveTogether()
    {
        int[] shape = [2, 2, 2];
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8], fill = new double[8], y = new double[8];
        Augmentation.Transform<double>(x, shape, fill, flip: true, dy: 1, dx: 0, y);
        Assert.Equal([0, 0, 2, 1, 0, 0, 6, 5], y);
    }

    [Fact]
    public void ApplyDrawsFlipThenDyThenDxPerImageInBatchOrder()
    {
        var a = Augmentation.Parse("flip,shift:1")!;
        var batch = Image.Concat(Image).Concat(Image).ToArray();   // [3, 12]
        a.Apply<float>(batch, 3, Shape3x4, Fill, new Rng(5, 7), new float[12]);
        var rng = new Rng(5, 7);
        for (int n = 0; n < 3; n++)
        {
            bool flip = rng.NextInt(2) == 1;
            int dy = rng.NextInt(3) - 1, dx = rng.NextInt(3) - 1;
            Assert.Equal(Transform(flip, dy, dx), batch[(n * 12)..((n + 1) * 12)]);
        }
    }

    [Fact]
    public void DrawsCoverEveryShiftAndFlipHalfTheTime()
    {
        // A 5×5 image with 1 at the centre and 2 right of it: where the 1 lands gives (dy, dx), the 2 beside it the flip.
        var a = Augmentation.Parse("flip,shift:2")!;
        int[] shape = [1, 5, 5];
        const int n = 25000;
        var batch = new float[n * 25];
        for (int i = 0; i < n; i++) { batch[i * 25 + 12] = 1; batch[i * 25 + 13] = 2; }
        a.Apply<float>(batch, n, shape, new float[25], new Rng(1, 2), new float[25]);
        int flips = 0;
        var counts = new int[5, 5];   // [dy + 2, dx + 2]
        for (int i = 0; i < n; i++)
        {
            var image = batch.AsSpan(i * 25, 25);
            int at = image.IndexOf(1f), r = at / 5, c = at % 5;
            bool flipped = c == 0 || (c != 4 && image[at - 1] == 2);
            flips += flipped ? 1 : 0;
            counts[r, c]++;
        }
        Assert.InRange(flips, n / 2 - 400, n / 2 + 400);                   // ±5σ
        foreach (int k in counts) Assert.InRange(k, n / 25 - 160, n / 25 + 160);   // each (dy, dx) 1/25 of the time, ±5σ
    }

    [Theory]
    [InlineData("flip", "flip")]
    [InlineData("shift:2", "shift:2")]
    [InlineData(" shift:3 , flip ", "flip,shift:3")]
    public void TextFormRoundTrips(string text, string canonical)
    {
        var a = Augmentation.Parse(text)!;
        Assert.Equal(canonical, a.ToString());
        Assert.Equal(a, Augmentation.Parse(a.ToString()));
    }

    [Fact]
    public void NoneIsNull() => Assert.Null(Augmentation.Parse("none"));

    [Theory]
    [InlineData("flop", "'flop' is not an augmentation")]
    [InlineData("shift:0", "'shift:0' needs a whole number of pixels ≥ 1")]
    [InlineData("shift:-1", "'shift:-1' needs a whole number")]
    [InlineData("shift", "'shift' is not an augmentation")]
    [InlineData("flip,flip", "'flip' is given twice")]
    [InlineData("", "it is empty")]
    public void BadTextIsOneLineNamingIt(string text, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => Augmentation.Parse(text));
        Assert.Contains(why, e.Message);
        Assert.StartsWith($"--augment '{text}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NonImageDataAndTooLargeAShiftAreRefused()
    {
        var rows = new Dataset("rows", new float[40], new int[10], [4], ["a"]);
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(rows, 5, augment: Augmentation.Parse("flip")));
        Assert.Equal("--augment flip needs image data (examples of shape [C, H, W]); 'rows' has examples of shape [4].", e.Message);
        var images = new Dataset("tiny", new float[10 * 9], new int[10], [1, 3, 3], ["a"]);
        e = Assert.Throws<ArgumentException>(() => new DataLoader(images, 5, augment: Augmentation.Parse("shift:3")));
        Assert.Contains("a shift of 3 pixels moves a 3×3 image of 'tiny' out of sight", e.Message);
    }
}
