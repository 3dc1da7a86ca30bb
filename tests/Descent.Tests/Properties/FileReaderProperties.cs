using System.IO.Compression;
using System.Text;
using Descent.Data;
using Descent.Serialization;
using Descent.Tests.Data;
using FsCheck.Fluent;

namespace Descent.Tests.Properties;

/// <summary>
/// The readers of outside files (IDX raw and gzip, CSV, safetensors) on random mutations of valid files: each either
/// reads a consistent result or throws <see cref="InvalidDataException"/> naming the file — never another exception,
/// never a hang.
/// </summary>
public sealed class FileReaderProperties : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static byte[] ValidIdx()
    {
        var path = Path.Combine(Path.GetTempPath(), "descent-prop-" + Guid.NewGuid().ToString("N"));
        try
        {
            var pixels = Enumerable.Range(0, 5 * 6 * 7).Select(i => (byte)(i * 37)).ToArray();
            Idx.WriteBytes(path, pixels, [5, 6, 7]);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    private static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    private string Write(byte[] bytes, string name)
    {
        string path = _tmp.File(Guid.NewGuid().ToString("N")[..8] + name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private bool ReadsIdx(byte[] bytes, string what)
    {
        string path = Write(bytes, ".idx");
        var e = PropertyRun.Outcome(() =>
        {
            var a = Idx.Read(path);
            Assert.Equal(a.Count * Idx.ElementSize(a.TypeCode), a.Data.Length);   // a result is consistent
            if (a.TypeCode is not (0x0D or 0x0E)) a.ToInts();
            a.ToFloats(255f);
        });
        File.Delete(path);
        if (e is InvalidDataException) Assert.Contains(path, e.Message);
        return PropertyRun.IsClear(e, what, typeof(InvalidDataException));
    }

    [Fact]
    public void IdxRawMutations() =>
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m => ReadsIdx(m.Apply(ValidIdx()), $"raw IDX, {m}")), 300);

    [Fact]
    public void IdxGzipMutationsOfTheCompressedBytes() =>
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m => ReadsIdx(m.Apply(Gzip(ValidIdx())), $"gzip IDX, {m}")), 300);

    [Fact]
    public void IdxGzipOfMutatedContents() =>
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m => ReadsIdx(Gzip(m.Apply(ValidIdx())), $"gzip of a mutated IDX, {m}")), 300);

    [Fact]
    public void IdxRandomBytes() =>
        PropertyRun.Check(Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<byte[]>(), b => ReadsIdx(b, $"{b.Length} random bytes")), 200);

    private static byte[] ValidCsv() => Encoding.UTF8.GetBytes(
        "sepal,petal,\"the, label\"\n0.5,1.25,setosa\n1.5,-2e-3,versicolor\n\"3\",4,setosa\n\n7.25,8,virginica\n");

    private bool ReadsCsv(byte[] bytes, string what)
    {
        string path = Write(bytes, ".csv");
        var e = PropertyRun.Outcome(() =>
        {
            var d = Csv.Load(path);
            Assert.True(d.ClassCount >= 2);
            Assert.Equal(d.Count * d.FeatureCount, d.Features.Length);
            Assert.All(d.Features, v => Assert.True(float.IsFinite(v)));
        });
        File.Delete(path);
        if (e is InvalidDataException) Assert.Contains(Path.GetFileName(path), e.Message);
        return PropertyRun.IsClear(e, what, typeof(InvalidDataException));
    }

    [Fact]
    public void CsvMutations() =>
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m => ReadsCsv(m.Apply(ValidCsv()), $"CSV, {m}")), 300);

    [Fact]
    public void CsvRandomText() =>
        PropertyRun.Check(Prop.ForAll(TextForms.Noise, s => ReadsCsv(Encoding.UTF8.GetBytes(s), $"CSV text '{s}'")), 200);

    private static byte[] ValidSafetensors()
    {
        var path = Path.Combine(Path.GetTempPath(), "descent-prop-" + Guid.NewGuid().ToString("N"));
        try
        {
            Safetensors.Write(path, new Dictionary<string, Tensor>
            {
                ["0.weight"] = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3),
                ["0.bias"] = Tensor.From(new double[] { 0.5, -0.5 }, 2),
            }, new Dictionary<string, string> { ["format"] = "pt" });
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SafetensorsMutations() =>
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m =>
        {
            string path = Write(m.Apply(ValidSafetensors()), ".safetensors");
            var e = PropertyRun.Outcome(() =>
            {
                foreach (var (_, t) in Safetensors.Read(path).Tensors)
                    if (t.DType is "F32" or "F64") Assert.Equal(t.Shape.Aggregate(1L, (a, b) => a * b), t.ToTensor().Length);
            });
            File.Delete(path);
            return PropertyRun.IsClear(e, $"safetensors, {m}", typeof(InvalidDataException));
        }), 300);
}
