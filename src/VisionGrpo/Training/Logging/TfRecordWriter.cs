using System.Buffers.Binary;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// TFRecord framing: <c>u64 length</c>, <c>u32 masked CRC32C(length bytes)</c>, the data, <c>u32 masked
/// CRC32C(data)</c>, all little-endian, records simply concatenated.
/// </summary>
internal static class TfRecordWriter
{
    /// <summary>Writes one framed record to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Mask(Crc32C.Compute(header[..8])));
        stream.Write(header);
        stream.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Mask(Crc32C.Compute(data)));
        stream.Write(footer);
    }
}
