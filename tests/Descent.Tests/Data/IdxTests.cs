using System.IO.Compression;
using Descent.Data;

namespace Descent.Tests.Data;

public class IdxTests
{
    /// <summary>Writes a tiny MNIST-layout folder: n images of rows×cols and n labels (i mod 10).</summary>
    internal static void WriteMnistFolder(string dir, int nTrain, int nTest, bool gzip, int rows = 4, int cols = 3)
    {
        foreach (var (prefix, n) in new[] { ("train", nTrain), ("t10k", nTest) })
        {
            var pixels = new byte[n * rows * cols];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 256);
            var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
            string ext = gzip ? ".gz" : "";
            Idx.WriteBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), pixels, [n, rows, cols], gzip);
            Idx.WriteBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), labels, [n], gzip);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsRawAndGzip(bool gzip)
    {
        using var tmp = new TempDir();
        string p = tmp.File("a.idx");
        byte[] data = [0, 1, 2, 3, 250, 255];
        Idx.WriteBytes(p, data, [2, 3], gzip);
        var bytes = File.ReadAllBytes(p);
        Assert.Equal(gzip, bytes[0] == 0x1F && bytes[1] == 0x8B);
        var a = Idx.Read(p);
        Assert.Equal(0x08, a.TypeCode);
        Assert.Equal([2, 3], a.Dimensions);
        Assert.Equal(data, a.Data);
        Assert.Equal([0, 1, 2, 3, 250, 255], a.ToInts());
        Assert.Equal(250f / 255f, a.ToFloats(255f)[4]);
    }

    [Fact]
    public void WrongMagicNamesFileAndOffset()
    {
        using var tmp = new TempDir();
        string p = tmp.File("bad.idx");
        File.WriteAllBytes(p, [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains("byte offset 0", e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void UnknownTypeCodeIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.Parse([0, 0, 0x07, 1, 0, 0, 0, 1, 5], "x.idx"));
        Assert.Contains("byte offset 2", e.Message);
        Assert.Contains("0x07", e.Message);
    }

    [Fact]
    public void TruncatedDataNamesOffsetAndSizes()
    {
        using var tmp = new TempDir();
        string p = tmp.File("t.idx");
        Idx.WriteBytes(p, new byte[12], [3, 4]);
        var full = File.ReadAllBytes(p);
        File.WriteAllBytes(p, full[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains($"truncated at byte offset {full.Length - 5}", e.Message);
        Assert.Contains($"need {full.Length} bytes", e.Message);
    }

    [Fact]
    public void TruncatedHeaderAndTrailingBytesAreErrors()
    {
        Assert.Contains("truncated at byte offset 6", Assert.Throws<InvalidDataException>(() => Idx.Parse([0, 0, 8, 2, 0, 0], "h.idx")).Message);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Parse([0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3], "x.idx"));
        Assert.Contains("1 unexpected bytes from byte offset 10", e.Message);
    }

    /// <summary>The cache keeps one decompressed copy per source file: a changed source replaces its copy; another source of the same name keeps its own.</summary>
    [Fact]
    public void CacheKeepsOneCopyPerSourceAndReplacesStaleOnes()
    {
        using var tmp = new TempDir();
        using var other = new TempDir();
        string cache = Path.Combine(tmp.Path, "cache");
        string saved = Environment.GetEnvironmentVariable("DESCENT_CACHE")!;
        Environment.SetEnvironmentVariable("DESCENT_CACHE", cache);
        try
        {
            string a = tmp.File("train-images-idx3-ubyte.gz"), b = other.File("train-images-idx3-ubyte.gz");
            Idx.WriteBytes(a, [1, 2, 3], [3], gzip: true);
            Idx.WriteBytes(b, [9, 9], [2], gzip: true);
            Assert.Equal([1, 2, 3], IdxCache.Read(a).Data);
            Assert.Equal([9, 9], IdxCache.Read(b).Data);
            Assert.Equal(2, Directory.GetFiles(cache).Length);
            Assert.Equal([1, 2, 3], IdxCache.Read(a).Data);   // from the copy
            Idx.WriteBytes(a, [4, 5, 6, 7], [4], gzip: true);
            File.SetLastWriteTimeUtc(a, DateTime.UtcNow.AddMinutes(1));
            Assert.Equal([4, 5, 6, 7], IdxCache.Read(a).Data);
            Assert.Equal(2, Directory.GetFiles(cache).Length);   // the stale copy of a is gone, b's stays
            Assert.Equal([9, 9], IdxCache.Read(b).Data);
        }
        finally { Environment.SetEnvironmentVariable("DESCENT_CACHE", saved); }
    }

    [Fact]
    public void TruncatedGzipIsAnErrorNamingTheFile()
    {
        using var tmp = new TempDir();
        string p = tmp.File("t.gz");
        Idx.WriteBytes(p, Enumerable.Range(0, 4000).Select(i => (byte)(i * 31)).ToArray(), [4000], gzip: true);
        var full = File.ReadAllBytes(p);
        File.WriteAllBytes(p, full[..(full.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(p));
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void BigEndianIntAndFloatTypesAreRead()
    {
        byte[] ints = [0, 0, 0x0C, 1, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 1, 0];
        Assert.Equal([-2, 256], Idx.Parse(ints, "i").ToInts());
        byte[] floats = [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0];
        Assert.Equal(1.5f, Idx.Parse(floats, "f").ToFloats()[0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MnistFolderLoads(bool gzip)
    {
        using var tmp = new TempDir();
        WriteMnistFolder(tmp.Path, 12, 5, gzip);
        var pair = DatasetSpec.Load("mnist:" + tmp.Path, 0);
        Assert.Equal(12, pair.Train.Count);
        Assert.Equal(5, pair.Test.Count);
        Assert.Equal([1, 4, 3], pair.Train.FeatureShape);
        Assert.Equal(12, pair.Train.FeatureCount);
        Assert.Equal(7 / 255f, pair.Train.Features[1]);
        Assert.Equal(3, pair.Train.Labels[3]);
        Assert.Equal("7", pair.Train.ClassNames[7]);
        var fashion = FashionMnist.Load(tmp.Path);
        Assert.Equal("Ankle boot", fashion.Train.ClassNames[9]);
    }

    [Fact]
    public void CountsThatDisagreeNameBothFiles()
    {
        using var tmp = new TempDir();
        WriteMnistFolder(tmp.Path, 12, 5, false);
        Idx.WriteBytes(Path.Combine(tmp.Path, "t10k-labels-idx1-ubyte"), new byte[4], [4]);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadMnist(tmp.Path));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var tmp = new TempDir();
        WriteMnistFolder(tmp.Path, 3, 3, true);
        File.Delete(Path.Combine(tmp.Path, "train-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.LoadMnist(tmp.Path));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.False(FashionMnist.HasAllFiles(tmp.Path));
    }

    [Fact]
    public void SearchPathStartsWithDebianFolder()
    {
        var path = FashionMnist.SearchPath();
        Assert.Equal("/usr/share/datasets/fashion-mnist", path[0]);
        Assert.EndsWith(Path.Combine(".descent", "datasets", "fashion-mnist"), path[^1]);
    }

    [FashionMnistFact(installed: false)]
    public void ErrorSaysHowToInstall()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Locate());
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("/usr/share/datasets/fashion-mnist", e.Message);
    }

    [FashionMnistFact]
    public void RealFashionMnistWhenInstalled()
    {
        var pair = DatasetSpec.Load("fashion-mnist", 0);
        Assert.Equal(60000, pair.Train.Count);
        Assert.Equal(10000, pair.Test.Count);
        Assert.Equal(784, pair.Train.FeatureCount);
        Assert.All(pair.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(pair.Test.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.InRange(pair.Train.Features.Max(), 0.99f, 1f);
    }
}

public class IdxDamagedHeaderTests
{
    /// <summary>A header that claims far more data than the file holds is refused before that much memory is taken.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHeaderClaimingGigabytesCostsOnlyWhatTheFileHolds(bool gzip)
    {
        using var tmp = new TempDir();
        string path = tmp.File("big.idx");
        Descent.Data.Idx.WriteBytes(path, new byte[5 * 6 * 7], [5, 6, 7], gzip);
        byte[] raw = gzip ? Gunzip(File.ReadAllBytes(path)) : File.ReadAllBytes(path);
        raw[5] = 0x30;   // dimension 0: 5 → 0x00300005, about 3 million images of 42 bytes (≈ 130 MB)
        File.WriteAllBytes(path, gzip ? Gzip(raw) : raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Descent.Data.Idx.Read(path)).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 20_000_000, "allocated what the header claims");
    }

    private static byte[] Gzip(byte[] b)
    {
        var ms = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, true)) z.Write(b);
        return ms.ToArray();
    }

    private static byte[] Gunzip(byte[] b)
    {
        using var z = new System.IO.Compression.GZipStream(new MemoryStream(b), System.IO.Compression.CompressionMode.Decompress);
        var ms = new MemoryStream();
        z.CopyTo(ms);
        return ms.ToArray();
    }
}
