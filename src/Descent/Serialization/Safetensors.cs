using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Descent.Serialization;

/// <summary>One tensor of a safetensors file: its dtype name (F32, F64, I64, U64, …), shape and raw little-endian bytes.</summary>
public sealed record SafeTensor(string DType, long[] Shape, byte[] Data)
{
    /// <summary>Wraps a float32/float64 tensor (copied).</summary>
    public static SafeTensor From(Tensor t) => t.DType == Descent.DType.Float32
        ? new("F32", ToLongs(t.Shape), MemoryMarshal.AsBytes<float>(t.Floats).ToArray())
        : new("F64", ToLongs(t.Shape), MemoryMarshal.AsBytes<double>(t.Doubles).ToArray());

    /// <summary>Wraps 64-bit signed integers (e.g. step counts).</summary>
    public static SafeTensor From(long[] values, params long[] shape) => new("I64", shape.Length == 0 ? [values.Length] : shape, MemoryMarshal.AsBytes<long>(values).ToArray());

    /// <summary>Wraps 64-bit unsigned integers (e.g. RNG states).</summary>
    public static SafeTensor From(ulong[] values, params long[] shape) => new("U64", shape.Length == 0 ? [values.Length] : shape, MemoryMarshal.AsBytes<ulong>(values).ToArray());

    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>As a Descent tensor (F32 or F64 only).</summary>
    public Tensor ToTensor()
    {
        int[] shape = Shape.Select(d => checked((int)d)).ToArray();
        return DType switch
        {
            "F32" => new Tensor(shape, MemoryMarshal.Cast<byte, float>(Data).ToArray()),
            "F64" => new Tensor(shape, MemoryMarshal.Cast<byte, double>(Data).ToArray()),
            _ => throw new InvalidDataException($"Tensor of dtype {DType} cannot become a Descent tensor (F32 or F64 expected)."),
        };
    }

    /// <summary>The elements of an I64 tensor.</summary>
    public long[] ToInt64s() => DType == "I64" ? MemoryMarshal.Cast<byte, long>(Data).ToArray() : throw new InvalidDataException($"Expected dtype I64, got {DType}.");

    /// <summary>The elements of a U64 tensor.</summary>
    public ulong[] ToUInt64s() => DType == "U64" ? MemoryMarshal.Cast<byte, ulong>(Data).ToArray() : throw new InvalidDataException($"Expected dtype U64, got {DType}.");

    private static long[] ToLongs(ReadOnlySpan<int> s)
    {
        var r = new long[s.Length];
        for (int i = 0; i < s.Length; i++) r[i] = s[i];
        return r;
    }
}

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian unsigned header length N, a UTF-8 JSON header of
/// N bytes, then the tensor bytes. The header maps each tensor name to
/// <c>{"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]}</c> (offsets relative to the first byte after
/// the header, tensors packed without gaps), plus an optional <c>"__metadata__"</c> map of strings to strings.
/// Data is little-endian and row-major. We pad the header with spaces to a multiple of 8 bytes (as the reference
/// implementation does) so the data is aligned. Names are PyTorch state-dict names (<c>0.weight</c>, <c>fc1.bias</c>),
/// so <c>safetensors.torch.load_file</c> gives a dictionary PyTorch's <c>load_state_dict</c> accepts.
/// </summary>
public static class Safetensors
{
    /// <summary>Bytes per element of each dtype the format defines.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1, ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4, ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>Largest header we accept (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>A file's tensors (in file order) and metadata.</summary>
    public sealed record Contents(IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
    {
        /// <summary>Every F32/F64 tensor as a Descent tensor.</summary>
        public Dictionary<string, Tensor> ToTensors() => Tensors.Where(t => t.Value.DType is "F32" or "F64").ToDictionary(t => t.Key, t => t.Value.ToTensor());
    }

    /// <summary>Writes Descent tensors (e.g. a state dict) atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors.Select(t => new KeyValuePair<string, SafeTensor>(t.Key, SafeTensor.From(t.Value))), metadata);

    /// <summary>Writes tensors of any dtype atomically, in the given order.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, SafeTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata);   // checked before the file is touched
        AtomicFile.Write(path, s => WriteTo(s, header, list));
    }

    /// <summary>Writes Descent tensors in the safetensors format to <paramref name="stream"/> (not atomic by itself).</summary>
    public static void WriteTo(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.Select(t => new KeyValuePair<string, SafeTensor>(t.Key, SafeTensor.From(t.Value))).ToList();
        WriteTo(stream, BuildHeader(list, metadata), list);
    }

    private static void WriteTo(Stream s, byte[] header, List<KeyValuePair<string, SafeTensor>> list)
    {
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)header.Length);
        s.Write(n);
        s.Write(header);
        foreach (var t in list) s.Write(t.Value.Data);
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, SafeTensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, t) in tensors)
            {
                if (name == "__metadata__" || !seen.Add(name)) throw new ArgumentException($"Tensor name '{name}' is reserved or repeated.");
                if (!DTypeSizes.TryGetValue(t.DType, out int size)) throw new ArgumentException($"Tensor '{name}': unknown dtype '{t.DType}'.");
                if (t.Shape.Any(d => d < 0) || t.Count * size != t.Data.Length)
                    throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", t.Shape)}] of {t.DType} needs {t.Count * size} bytes, got {t.Data.Length}.");
                w.WriteStartObject(name);
                w.WriteString("dtype", t.DType);
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        int len = (int)ms.Length, padded = (len + 7) / 8 * 8;
        var bytes = new byte[padded];
        ms.GetBuffer().AsSpan(0, len).CopyTo(bytes);
        bytes.AsSpan(len).Fill((byte)' ');
        return bytes;
    }

    /// <summary>Reads and validates a safetensors file; errors name the file and the byte offset.</summary>
    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    public static Contents Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 8) throw Bad(source, bytes.Length, $"truncated: the 8-byte header length is missing (the file has {bytes.Length} bytes)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes) throw Bad(source, 0, $"header length {n} is larger than the limit of {MaxHeaderBytes} bytes (not a safetensors file?)");
        if (8 + (long)n > bytes.Length) throw Bad(source, bytes.Length, $"truncated: the header of {n} bytes should end at byte offset {8 + (long)n}, the file has {bytes.Length} bytes");
        int dataStart = 8 + (int)n;
        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(8, (int)n))) throw Bad(source, 8, "the header is not valid UTF-8 text");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n)); }
        catch (JsonException e) { throw Bad(source, 8 + (e.BytePositionInLine ?? 0), $"the header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, 8, "the header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw Bad(source, 8, "\"__metadata__\" should be an object of strings");
                    foreach (var m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Bad(source, 8, $"metadata '{m.Name}' should be a string, got {m.Value.ValueKind}");
                    continue;
                }
                if (entries.Any(e => e.Name == p.Name)) throw Bad(source, 8, $"tensor '{p.Name}' appears twice in the header");
                entries.Add(ParseEntry(p, source));
            }
            var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
            long expect = 0;
            var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
            foreach (var e in ordered)
            {
                int size = DTypeSizes[e.DType];
                long count = e.Shape.Aggregate(1L, (a, b) => a * b);
                if (e.Begin != expect)
                    throw Bad(source, dataStart + Math.Min(e.Begin, expect), $"tensor '{e.Name}' starts at data offset {e.Begin}, expected {expect} (tensors must be packed without gaps or overlaps)");
                if (e.End - e.Begin != count * size)
                    throw Bad(source, dataStart + e.Begin, $"tensor '{e.Name}' has {e.End - e.Begin} bytes, but shape [{string.Join(", ", e.Shape)}] of {e.DType} needs {count * size}");
                if (dataStart + e.End > bytes.Length)
                    throw Bad(source, bytes.Length, $"truncated: tensor '{e.Name}' should end at byte offset {dataStart + e.End}, the file has {bytes.Length} bytes");
                tensors[e.Name] = new SafeTensor(e.DType, e.Shape, bytes.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin)).ToArray());
                expect = e.End;
            }
            if (dataStart + expect != bytes.Length)
                throw Bad(source, dataStart + expect, $"{bytes.Length - dataStart - expect} bytes after the last tensor (the header accounts for {expect} data bytes)");
            var inFileOrder = entries.ToDictionary(e => e.Name, e => tensors[e.Name], StringComparer.Ordinal);
            return new Contents(inFileOrder, metadata);
        }
    }

    private static (string, string, long[], long, long) ParseEntry(JsonProperty p, string source)
    {
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(source, 8, $"tensor '{p.Name}' should be an object with dtype, shape and data_offsets");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String || !DTypeSizes.ContainsKey(dt.GetString()!))
            throw Bad(source, 8, $"tensor '{p.Name}' has dtype {(v.TryGetProperty("dtype", out var x) ? x.GetRawText() : "(missing)")}; expected one of {string.Join(", ", DTypeSizes.Keys)}");
        long[] Longs(string key)
        {
            if (!v.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array) throw Bad(source, 8, $"tensor '{p.Name}' lacks the array '{key}'");
            var r = new List<long>();
            foreach (var e in a.EnumerateArray())
                r.Add(e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long l) && l >= 0 ? l : throw Bad(source, 8, $"tensor '{p.Name}': '{key}' holds {e.GetRawText()}, expected a non-negative integer"));
            return r.ToArray();
        }
        var shape = Longs("shape");
        var offsets = Longs("data_offsets");
        if (offsets.Length != 2 || offsets[1] < offsets[0]) throw Bad(source, 8, $"tensor '{p.Name}': data_offsets [{string.Join(", ", offsets)}] should be [begin, end] with begin ≤ end");
        return (p.Name, dt.GetString()!, shape, offsets[0], offsets[1]);
    }

    private static InvalidDataException Bad(string source, long offset, string what) => new($"{source}: byte offset {offset}: {what}.");
}
