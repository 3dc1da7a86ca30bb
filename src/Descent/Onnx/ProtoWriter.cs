using Google.Protobuf;

namespace Descent.Onnx;

/// <summary>
/// One protobuf message being written, field by field, with Google.Protobuf's <see cref="CodedOutputStream"/>: a tag
/// (field number, wire type) and the value. A nested message is written to its own buffer first and then stored as a
/// length-delimited field, which is how protobuf lays out sub-messages. Repeated scalars are written unpacked (one tag
/// per value), the form the proto2 fields of <c>onnx.proto</c> declare; every protobuf reader accepts it.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    /// <summary>An int64 (or enum, or int32 ≥ 0) field as a varint.</summary>
    public ProtoWriter Int64(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    /// <summary>A float field (fixed 32 bits).</summary>
    public ProtoWriter Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    /// <summary>A string field (UTF-8, length-delimited).</summary>
    public ProtoWriter String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    /// <summary>A bytes field (length-delimited).</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    /// <summary>A sub-message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A repeated int64 field, one tag per value.</summary>
    public ProtoWriter Int64s(int field, IEnumerable<long> values)
    {
        foreach (long v in values) Int64(field, v);
        return this;
    }

    /// <summary>The message's bytes so far.</summary>
    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
