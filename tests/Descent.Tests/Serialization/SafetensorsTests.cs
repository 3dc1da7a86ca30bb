using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Descent.Serialization;
using Descent.Tests.Data;

namespace Descent.Tests.Serialization;

public class SafetensorsTests
{
    private static Dictionary<string, Tensor> StateDict() => new()
    {
        ["0.weight"] = Tensor.From(new float[] { 1, -2, 3.5f, 4, 5, 6 }, 2, 3),
        ["0.bias"] = Tensor.From(new float[] { 0.25f, -0.5f }, 2),
        ["2.weight"] = Tensor.From(new double[] { Math.PI, -1e-300, 7 }, 1, 3),
    };

    [Fact]
    public void RoundTripsTensorsIntegersAndMetadata()
    {
        using var tmp = new TempDir();
        string p = tmp.File("m.safetensors");
        var sd = StateDict();
        var entries = sd.Select(kv => new KeyValuePair<string, SafeTensor>(kv.Key, SafeTensor.From(kv.Value))).ToList();
        entries.Add(new("step", SafeTensor.From(new long[] { 42, -1 })));
        entries.Add(new("rng", SafeTensor.From(new ulong[] { ulong.MaxValue, 1, 2, 3 }, 2, 2)));
        Safetensors.Write(p, entries, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });
        var c = Safetensors.Read(p);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "step", "rng"], c.Tensors.Keys);
        Assert.Equal("ünïcode", c.Metadata["note"]);
        foreach (var (name, t) in sd)
        {
            var back = c.Tensors[name].ToTensor();
            Assert.True(t.BitwiseEquals(back), name);
        }
        Assert.Equal([42L, -1], c.Tensors["step"].ToInt64s());
        Assert.Equal([ulong.MaxValue, 1, 2, 3], c.Tensors["rng"].ToUInt64s());
        Assert.Equal([2L, 2], c.Tensors["rng"].Shape);
        var bytes = File.ReadAllBytes(p);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8); // data aligned to 8 bytes
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp")); // the temporary file was renamed
    }

    [Fact]
    public void ScalarAndEmptyTensors()
    {
        using var tmp = new TempDir();
        string p = tmp.File("s.safetensors");
        Safetensors.Write(p, new Dictionary<string, Tensor> { ["s"] = Tensor.Scalar(3), ["e"] = Tensor.Zeros(0, 4) });
        var t = Safetensors.Read(p).ToTensors();
        Assert.Equal(0, t["s"].Rank);
        Assert.Equal(3.0, t["s"].Item());
        Assert.Equal([0, 4], t["e"].ShapeArray);
    }

    private static byte[] File8(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Fact]
    public void CorruptFilesNameFileAndOffset()
    {
        using var tmp = new TempDir();
        string p = tmp.File("c.safetensors");
        Safetensors.Write(p, StateDict());
        var good = File.ReadAllBytes(p);

        File.WriteAllBytes(p, good[..^4]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains($"byte offset {good.Length - 4}", e.Message);
        Assert.Contains("truncated", e.Message);

        File.WriteAllBytes(p, good[..5]);
        Assert.Contains("byte offset 5", Assert.Throws<InvalidDataException>(() => Safetensors.Read(p)).Message);

        Assert.Contains("header length", Assert.Throws<InvalidDataException>(() => Safetensors.Parse(Enumerable.Repeat((byte)0x7F, 16).ToArray(), "x")).Message);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\": ", 0), "x")).Message);
        Assert.Contains("dtype", Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "x")).Message);
        var gap = Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "x"));
        Assert.Contains("gaps", gap.Message);
        var size = Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "x"));
        Assert.Contains("needs 8", size.Message);
        var twice = Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "x"));
        Assert.Contains("appears twice", twice.Message);
        var extra = Assert.Throws<InvalidDataException>(() => Safetensors.Parse(File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6), "x"));
        Assert.Contains("2 bytes after the last tensor", extra.Message);
    }

    [PythonFact("numpy")]
    public void IndependentPythonReaderAgrees()
    {
        const string python = PythonFactAttribute.Python;
        using var tmp = new TempDir();
        string p = tmp.File("m.safetensors");
        var sd = StateDict();
        Safetensors.Write(p, sd, new Dictionary<string, string> { ["format"] = "pt" });
        string script = tmp.File("read.py");
        File.WriteAllText(script, """
            import json, struct, sys
            import numpy as np
            DT = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "U64": np.uint64}
            with open(sys.argv[1], "rb") as f:
                raw = f.read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n].decode("utf-8"))
            meta = header.pop("__metadata__", {})
            out = {"__metadata__": meta}
            for name, t in header.items():
                b, e = t["data_offsets"]
                a = np.frombuffer(raw[8 + n + b: 8 + n + e], dtype=np.dtype(DT[t["dtype"]]).newbyteorder("<")).reshape(t["shape"])
                out[name] = {"shape": list(a.shape), "sum": float(a.astype(np.float64).sum()), "first": float(a.flat[0]), "dtype": str(a.dtype)}
            print(json.dumps(out))
            """);
        var psi = new ProcessStartInfo(python, [script, p]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var proc = Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd();
        string stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
        foreach (var (name, t) in sd)
        {
            var r = root.GetProperty(name);
            Assert.Equal(t.ShapeArray, r.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
            Assert.Equal(t.ToArray().Sum(), r.GetProperty("sum").GetDouble(), 12);
            Assert.Equal(t.ToArray()[0], r.GetProperty("first").GetDouble());
            Assert.Equal(t.DType == DType.Float32 ? "float32" : "float64", r.GetProperty("dtype").GetString());
        }
    }
}
