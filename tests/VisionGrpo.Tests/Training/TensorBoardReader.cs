using System.Buffers.Binary;
using System.Text;
using VisionGrpo.Training.Logging;

namespace VisionGrpo.Tests.Training;

/// <summary>One decoded value of a <c>Summary</c>.</summary>
internal sealed record TbValue(string Tag, float? SimpleValue, string? Text, string? PluginName, bool HasHisto);

/// <summary>One decoded <c>Event</c>.</summary>
internal sealed record TbEvent(double WallTime, long Step, string? FileVersion, string? SourceWriter, IReadOnlyList<TbValue> Values);

/// <summary>
/// Test-side reader of TensorBoard event files: checks the TFRecord framing and both masked CRC32Cs of every record
/// (as TensorBoard's loader does) and decodes the Event fields this project writes.
/// </summary>
internal static class TensorBoardReader
{
    public static List<byte[]> ReadRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            Assert.True(bytes.Length - pos >= 16, $"truncated record header at {pos}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8));
            Assert.Equal(Crc32C.Mask(Crc32C.Compute(bytes.AsSpan(pos, 8))), lengthCrc);
            var data = bytes.AsSpan(pos + 12, (int)length).ToArray();
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)length));
            Assert.Equal(Crc32C.Mask(Crc32C.Compute(data)), dataCrc);
            records.Add(data);
            pos += 16 + (int)length;
        }
        return records;
    }

    public static List<TbEvent> ReadEvents(string path) => ReadRecords(path).Select(DecodeEvent).ToList();

    public static TbEvent DecodeEvent(byte[] data)
    {
        double wall = 0; long step = 0; string? version = null, writer = null;
        var values = new List<TbValue>();
        foreach (var (field, wire, raw, varint) in Fields(data))
        {
            switch (field)
            {
                case 1: wall = BitConverter.Int64BitsToDouble((long)varint); break;
                case 2: step = (long)varint; break;
                case 3: version = Encoding.UTF8.GetString(raw!); break;
                case 5: values.AddRange(Fields(raw!).Where(f => f.Field == 1).Select(f => DecodeValue(f.Raw!))); break;
                case 10: writer = Fields(raw!).Where(f => f.Field == 1).Select(f => Encoding.UTF8.GetString(f.Raw!)).FirstOrDefault(); break;
            }
        }
        return new TbEvent(wall, step, version, writer, values);
    }

    static TbValue DecodeValue(byte[] data)
    {
        string tag = ""; float? simple = null; string? text = null, plugin = null; bool histo = false;
        foreach (var (field, _, raw, varint) in Fields(data))
        {
            switch (field)
            {
                case 1: tag = Encoding.UTF8.GetString(raw!); break;
                case 2: simple = BitConverter.Int32BitsToSingle((int)varint); break;
                case 5: histo = true; break;
                case 8: text = Fields(raw!).Where(f => f.Field == 8).Select(f => Encoding.UTF8.GetString(f.Raw!)).FirstOrDefault(); break;
                case 9:
                    plugin = Fields(raw!).Where(f => f.Field == 1)
                        .SelectMany(f => Fields(f.Raw!)).Where(f => f.Field == 1)
                        .Select(f => Encoding.UTF8.GetString(f.Raw!)).FirstOrDefault();
                    break;
            }
        }
        return new TbValue(tag, simple, text, plugin, histo);
    }

    /// <summary>Protobuf fields: (number, wire type, bytes for length-delimited, raw bits for varint/fixed).</summary>
    static IEnumerable<(int Field, int Wire, byte[]? Raw, ulong Varint)> Fields(byte[] data)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            ulong key = ReadVarint(data, ref pos);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, null, ReadVarint(data, ref pos)); break;
                case 1: yield return (field, wire, null, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(pos))); pos += 8; break;
                case 5: yield return (field, wire, null, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos))); pos += 4; break;
                case 2:
                    int len = (int)ReadVarint(data, ref pos);
                    yield return (field, wire, data.AsSpan(pos, len).ToArray(), 0);
                    pos += len;
                    break;
                default: throw new InvalidDataException($"unsupported wire type {wire}");
            }
        }
    }

    static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
    }
}
