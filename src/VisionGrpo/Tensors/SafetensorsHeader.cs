using System.Buffers.Binary;
using System.Text.Json;

namespace VisionGrpo.Tensors;

/// <summary>
/// A parsed, validated safetensors header. Validation follows the reference Rust reader
/// (huggingface/safetensors <c>SafeTensors::read_metadata</c> / <c>Metadata::validate</c>): header at most 100 MB,
/// strict UTF-8 JSON object, known dtypes, non-negative integer shapes, and entries that, sorted by offset, tile
/// the data buffer exactly from 0 to the end of the file. Anything else is a <see cref="SafetensorsFormatException"/>.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>Largest header the reference implementation accepts.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Size of the little-endian header length prefix.</summary>
    public const int PrefixBytes = 8;

    const string MetadataKey = "__metadata__";

    SafetensorsHeader(long headerLength, IReadOnlyDictionary<string, string> metadata, TensorEntry[] entries)
    {
        HeaderLength = headerLength;
        Metadata = metadata;
        Entries = entries;
        ByName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>Length of the JSON header in bytes (padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>File offset of the data buffer.</summary>
    public long DataStart => PrefixBytes + HeaderLength;

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Entries in data (offset) order.</summary>
    public IReadOnlyList<TensorEntry> Entries { get; }

    /// <summary>Entries by name.</summary>
    public IReadOnlyDictionary<string, TensorEntry> ByName { get; }

    /// <summary>Reads and checks the 8-byte header length against the file length, before anything is allocated.</summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> prefix, long fileLength, string path)
    {
        if (fileLength < PrefixBytes || prefix.Length < PrefixBytes)
            throw new SafetensorsFormatException(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderBytes)
            throw new SafetensorsFormatException(path, $"header length {n} exceeds the 100 MB limit.");
        if ((long)n > fileLength - PrefixBytes)
            throw new SafetensorsFormatException(path, $"header length {n} runs past the end of the file ({fileLength} bytes).");
        return (long)n;
    }

    /// <summary>Parses and validates the JSON header; <paramref name="fileLength"/> must equal prefix + header + data.</summary>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> json, long fileLength, string path)
    {
        // The reference checks the whole header is UTF-8 first; System.Text.Json only notices in strings, lazily.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw new SafetensorsFormatException(path, "the header is not valid UTF-8 JSON (invalid UTF-8 bytes).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"the header is not valid UTF-8 JSON ({e.Message})", e);
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, $"the header is a JSON {root.ValueKind}, not an object.");

            var seen = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            var entries = new List<TensorEntry>();
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException(path, $"the header has the key '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                    metadata = ParseMetadata(property.Value, path);
                else
                    entries.Add(ParseEntry(property.Name, property.Value, path));
            }

            TensorEntry[] ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
            long dataLength = CheckTiling(ordered, path);
            long headerLength = json.Length;
            if (PrefixBytes + headerLength + dataLength != fileLength)
                throw new SafetensorsFormatException(path,
                    $"the tensors cover {dataLength} data bytes but the file holds {fileLength - PrefixBytes - headerLength} " +
                    "after the header (truncated file or trailing bytes).");
            return new SafetensorsHeader(headerLength, metadata, ordered);
        }
    }

    static Dictionary<string, string> ParseMetadata(JsonElement value, string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.ValueKind == JsonValueKind.Null) return map;
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"'{MetadataKey}' is a JSON {value.ValueKind}, not an object of strings.");
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, $"'{MetadataKey}' entry '{item.Name}' is a JSON {item.Value.ValueKind}, not a string.");
            if (!map.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafetensorsFormatException(path, $"'{MetadataKey}' has the key '{item.Name}' twice.");
        }
        return map;
    }

    static TensorEntry ParseEntry(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"tensor '{name}': entry is a JSON {value.ValueKind}, not an object.");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            // Unknown fields are ignored, as the reference reader does; repeated known ones are ambiguous.
            ref JsonElement? slot = ref dtypeEl;
            if (field.Name == "dtype") slot = ref dtypeEl;
            else if (field.Name == "shape") slot = ref shapeEl;
            else if (field.Name == "data_offsets") slot = ref offsetsEl;
            else continue;
            if (slot is not null)
                throw new SafetensorsFormatException(path, $"tensor '{name}': field '{field.Name}' appears twice.");
            slot = field.Value;
        }
        if (dtypeEl is null || shapeEl is null || offsetsEl is null)
            throw new SafetensorsFormatException(path, $"tensor '{name}': needs 'dtype', 'shape' and 'data_offsets'.");

        if (dtypeEl.Value.ValueKind != JsonValueKind.String || !SafetensorsDTypes.TryParse(dtypeEl.Value.GetString()!, out var dtype))
            throw new SafetensorsFormatException(path, $"tensor '{name}': unknown dtype {dtypeEl.Value.GetRawText()}.");

        long[] shape = ReadIntegers(shapeEl.Value, name, "shape", path);
        long[] offsets = ReadIntegers(offsetsEl.Value, name, "data_offsets", path);
        if (offsets.Length != 2)
            throw new SafetensorsFormatException(path, $"tensor '{name}': 'data_offsets' must hold exactly 2 integers, not {offsets.Length}.");
        if (offsets[1] < offsets[0])
            throw new SafetensorsFormatException(path, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] end before they begin.");

        long expected = ExpectedByteLength(dtype, shape, name, path);
        if (offsets[1] - offsets[0] != expected)
            throw new SafetensorsFormatException(path,
                $"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} needs {expected} bytes but data_offsets " +
                $"[{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    static long[] ReadIntegers(JsonElement value, string name, string field, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, $"tensor '{name}': '{field}' is a JSON {value.ValueKind}, not an array.");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            // TryGetInt64 rejects fractions and exponents ("2.0", "1e3"), as the reference's usize parsing does.
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw new SafetensorsFormatException(path, $"tensor '{name}': '{field}' holds {item.GetRawText()}, not a non-negative 64-bit integer.");
            result[i++] = v;
        }
        return result;
    }

    static long ExpectedByteLength(SafetensorsDType dtype, long[] shape, string name, string path)
    {
        try
        {
            long bits = dtype.BitSize();
            foreach (long d in shape) bits = checked(bits * d);
            if (bits % 8 != 0)
                throw new SafetensorsFormatException(path, $"tensor '{name}': {dtype} shape [{string.Join(", ", shape)}] does not fill whole bytes.");
            return bits / 8;
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, $"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} overflows 64-bit byte counts.");
        }
    }

    static long CheckTiling(TensorEntry[] ordered, string path)
    {
        long position = 0;
        foreach (TensorEntry e in ordered)
        {
            if (e.Begin != position)
                throw new SafetensorsFormatException(path,
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] do not start where the previous tensor ends ({position}); " +
                    "tensors must tile the data buffer without gaps or overlaps.");
            position = e.End;
        }
        return position;
    }
}
