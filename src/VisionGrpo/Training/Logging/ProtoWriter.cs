using System.Buffers.Binary;
using System.Text;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// Minimal canonical protobuf encoder for the few TensorBoard messages written here: fields are written in
/// ascending field-number order by the callers, proto3 defaults (0, "") are skipped by the <c>Optional*</c> calls.
/// </summary>
internal sealed class ProtoWriter
{
    readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }

    void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    public ProtoWriter Double(int field, double value)
    {
        Tag(field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    /// <summary>A double field omitted at its proto3 default (+0.0).</summary>
    public ProtoWriter OptionalDouble(int field, double value) =>
        BitConverter.DoubleToInt64Bits(value) == 0 ? this : Double(field, value);

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public ProtoWriter OptionalInt64(int field, long value)
    {
        if (value == 0) return this;
        Tag(field, 0);
        Varint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter PackedDoubles(int field, IReadOnlyList<double> values)
    {
        if (values.Count == 0) return this;
        var bytes = new byte[values.Count * 8];
        for (int i = 0; i < values.Count; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        return Bytes(field, bytes);
    }
}
