using System.Buffers.Binary;
using System.IO.Compression;
using Descent.Serialization;

namespace Descent.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.), raw or gzip-compressed (detected by the
/// gzip magic bytes <c>1f 8b</c>, not by the file name).
/// </summary>
/// <remarks>
/// Layout (all integers big-endian): bytes 0–1 are zero; byte 2 is the element type
/// (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64); byte 3 is the number of dimensions r;
/// then r 32-bit sizes; then the elements, last dimension fastest. The reader checks every one of these
/// and that the data is exactly as long as the sizes say; errors name the file and the byte offset
/// (in the decompressed stream for a gzip file).
/// </remarks>
public static class Idx
{
    /// <summary>An IDX array: element type code, dimensions and the elements as stored (big-endian).</summary>
    public sealed record Array(byte TypeCode, int[] Dimensions, byte[] Data)
    {
        /// <summary>Number of elements.</summary>
        public long Count => Dimensions.Aggregate(1L, (a, b) => a * b);

        /// <summary>The elements converted to float32 and divided by <paramref name="divisor"/> (255 for pixels, as torchvision's ToTensor).</summary>
        public float[] ToFloats(float divisor = 1f)
        {
            var r = new float[Count];
            if (TypeCode == 0x08)
            {
                System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<byte, float>(Data, r);   // exact: bytes are small integers
                if (divisor != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(r, divisor, r);
                return r;
            }
            int size = ElementSize(TypeCode);
            for (int i = 0; i < r.Length; i++) r[i] = (float)Element(i, size) / divisor;
            return r;
        }

        /// <summary>The elements as integers (an error for float types).</summary>
        public int[] ToInts()
        {
            if (TypeCode is 0x0D or 0x0E) throw new InvalidDataException($"IDX array holds floating-point values (type 0x{TypeCode:X2}), not integers.");
            var r = new int[Count];
            int size = ElementSize(TypeCode);
            for (int i = 0; i < r.Length; i++) r[i] = (int)Element(i, size);
            return r;
        }

        private double Element(int i, int size)
        {
            var s = Data.AsSpan(i * size, size);
            return TypeCode switch
            {
                0x08 => s[0],
                0x09 => (sbyte)s[0],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(s),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(s),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(s),
                _ => BinaryPrimitives.ReadDoubleBigEndian(s),
            };
        }
    }

    /// <summary>Bytes per element of an IDX type code; an error for an unknown code.</summary>
    public static int ElementSize(byte typeCode) => typeCode switch
    {
        0x08 or 0x09 => 1,
        0x0B => 2,
        0x0C or 0x0D => 4,
        0x0E => 8,
        _ => throw new InvalidDataException($"Unknown IDX element type 0x{typeCode:X2} (expected 08, 09, 0B, 0C, 0D or 0E)."),
    };

    /// <summary>Reads and validates an IDX file (raw or gzip).</summary>
    public static Array Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        return ReadFile(path, IsGzip(path));
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names them in errors.</summary>
    public static Array Parse(ReadOnlySpan<byte> bytes, string source)
    {
        var dims = ParseHeader(bytes, source, out byte type, out int size, out long expected);
        int header = 4 + 4 * dims.Length;
        if (bytes.Length < expected)
            throw new InvalidDataException($"{source}: truncated at byte offset {bytes.Length}: dimensions [{string.Join(", ", dims)}] of {size}-byte elements need {expected} bytes, the file has {bytes.Length}.");
        if (bytes.Length > expected)
            throw new InvalidDataException($"{source}: {bytes.Length - expected} unexpected bytes from byte offset {expected}: dimensions [{string.Join(", ", dims)}] need exactly {expected} bytes.");
        return new Array(type, dims, bytes.Slice(header).ToArray());
    }

    /// <summary>Checks the magic, type and dimensions of an IDX header (bytes holds at least the whole header).</summary>
    private static int[] ParseHeader(ReadOnlySpan<byte> bytes, string source, out byte type, out int size, out long expected)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"{source}: truncated at byte offset {bytes.Length}: an IDX header needs 4 bytes, the file has {bytes.Length}.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{source}: wrong magic number at byte offset 0: expected 00 00 <type> <rank>, got {bytes[0]:X2} {bytes[1]:X2} {bytes[2]:X2} {bytes[3]:X2}. Not an IDX file?");
        type = bytes[2];
        try { size = ElementSize(type); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: byte offset 2: {e.Message}"); }
        int rank = bytes[3];
        if (rank == 0) throw new InvalidDataException($"{source}: byte offset 3: the number of dimensions is 0; expected at least 1.");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new InvalidDataException($"{source}: truncated at byte offset {bytes.Length}: {rank} dimensions need a {header}-byte header.");
        var dims = new int[rank];
        long count = 1;
        for (int k = 0; k < rank; k++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(4 + 4 * k));
            if (v > int.MaxValue) throw new InvalidDataException($"{source}: byte offset {4 + 4 * k}: dimension {k} is {v}, too large.");
            dims[k] = (int)v;
            count *= v;
            if (count * size > int.MaxValue) throw new InvalidDataException($"{source}: byte offset {4 + 4 * k}: dimensions {string.Join("×", dims.Take(k + 1))} give more than 2 GB of data.");
        }
        expected = header + count * size;
        return dims;
    }

    /// <summary>Writes an array of unsigned bytes (type 0x08) atomically, gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void WriteBytes(string path, ReadOnlySpan<byte> data, int[] dimensions, bool gzip = false) =>
        Write(path, new Array(0x08, dimensions, data.ToArray()), gzip);

    /// <summary>Writes an IDX array atomically (temporary name, flush, rename).</summary>
    public static void Write(string path, Array array, bool gzip = false)
    {
        int size = ElementSize(array.TypeCode);
        if (array.Count * size != array.Data.Length)
            throw new ArgumentException($"IDX array of dimensions [{string.Join(", ", array.Dimensions)}] needs {array.Count * size} data bytes, got {array.Data.Length}.");
        var header = new byte[4 + 4 * array.Dimensions.Length];
        header[2] = array.TypeCode;
        header[3] = checked((byte)array.Dimensions.Length);
        for (int k = 0; k < array.Dimensions.Length; k++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * k), array.Dimensions[k]);
        AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var z = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                z.Write(header); z.Write(array.Data);
            }
            else { stream.Write(header); stream.Write(array.Data); }
        });
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes. A gzip stream's length is unknown until read, so its buffer grows: at
    /// once up to 16 MB, beyond that in doubling steps, and a damaged header claiming gigabytes costs only what the stream
    /// really holds. A raw file was checked to hold <paramref name="count"/> bytes (<paramref name="known"/>): one buffer of
    /// exactly that size, not written twice (Fashion-MNIST's 47 MB of images: no 16 → 32 → 47 MB copies; bench mlp's data
    /// load 80 → 45 ms).
    /// Shorter than asked at the end of the stream.
    /// </summary>
    private static byte[] ReadUpTo(Stream z, long count, bool known)
    {
        var data = known ? GC.AllocateUninitializedArray<byte>((int)count) : new byte[Math.Min(count, 16L << 20)];
        int n = z.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        while (n == data.Length && n < count)
        {
            System.Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            n += z.ReadAtLeast(data.AsSpan(n), data.Length - n, throwOnEndOfStream: false);
        }
        if (n < data.Length) System.Array.Resize(ref data, n);
        return data;
    }

    private static bool IsGzip(string path)
    {
        using var f = File.OpenRead(path);
        return f.ReadByte() == 0x1F && f.ReadByte() == 0x8B;
    }

    /// <summary>
    /// Reads an IDX file (raw or gzip) as a stream: the header first, then the elements straight into an array of
    /// exactly their size (no whole-file buffer), so a 47 MB image file needs 47 MB, not three times that.
    /// </summary>
    private static Array ReadFile(string path, bool gzip)
    {
        string source = gzip ? path + " (gzip; offsets in the decompressed data)" : path;
        using var file = File.OpenRead(path);
        using Stream z = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        long offset = 0;
        try
        {
            Span<byte> head = stackalloc byte[4 + 4 * 255];
            int got = z.ReadAtLeast(head[..4], 4, throwOnEndOfStream: false);
            offset = got;
            if (got < 4) return Parse(head[..got], source);               // Parse reports the truncated header
            int rank = head[3];
            int header = 4 + 4 * rank;
            got += z.ReadAtLeast(head[4..header], header - 4, throwOnEndOfStream: false);
            offset = got;
            if (got < header) return Parse(head[..got], source);
            var dims = ParseHeader(head[..header], source, out byte type, out int size, out long expected);
            if (!gzip && file.Length < expected)   // before allocating what a damaged header claims
                throw new InvalidDataException($"{source}: truncated at byte offset {file.Length}: dimensions [{string.Join(", ", dims)}] of {size}-byte elements need {expected} bytes, the file has {file.Length}.");
            var data = ReadUpTo(z, expected - header, known: !gzip && expected - header <= System.Array.MaxLength);
            int n = data.Length;
            offset = header + n;
            if (n < expected - header)
                throw new InvalidDataException($"{source}: truncated at byte offset {offset}: dimensions [{string.Join(", ", dims)}] of {size}-byte elements need {expected} bytes, the file has {offset}.");
            Span<byte> probe = stackalloc byte[4096];
            long extra = 0;
            for (int k; (k = z.Read(probe)) > 0;) extra += k;
            if (extra > 0)
                throw new InvalidDataException($"{source}: {extra} unexpected bytes from byte offset {expected}: dimensions [{string.Join(", ", dims)}] need exactly {expected} bytes.");
            return new Array(type, dims, data);
        }
        catch (InvalidDataException e) when (gzip && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt gzip stream (failed after {offset} decompressed bytes): {e.Message}");
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated gzip stream (ended after {offset} decompressed bytes): {e.Message}");
        }
    }
}
