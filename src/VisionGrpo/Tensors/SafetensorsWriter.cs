using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// Writes safetensors files the Python <c>safetensors</c> package reads (and writes) byte for byte: 8-byte
/// little-endian header length, compact JSON header with <c>__metadata__</c> first, tensors ordered by descending
/// dtype alignment then name, data in that order, header padded with spaces to a multiple of 8. Files are written to
/// a temporary sibling and renamed into place, so an existing (possibly mapped) file is never truncated in place.
/// </summary>
public static class SafetensorsWriter
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    sealed record Planned(string Name, Tensor Tensor, SafetensorsDType DType, long[] Shape, long Bytes);

    /// <summary>Writes <paramref name="tensors"/> (any device, any layout) and optional string metadata to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>.</exception>
    /// <exception cref="NotSupportedException">A tensor type the format cannot hold.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var planned = Plan(tensors);
        byte[] header = BuildHeader(planned, metadata);
        WriteAtomically(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            long expected = stream.Position;
            foreach (var p in planned)
            {
                TensorByteCopier.WriteTo(p.Tensor, stream);
                expected += p.Bytes;
                if (stream.Position != expected)
                    throw new InvalidOperationException($"{path}: tensor '{p.Name}' produced {stream.Position - expected + p.Bytes} bytes, expected {p.Bytes}.");
            }
        });
    }

    /// <summary>
    /// Saves like transformers' <c>save_pretrained</c>: tensors are packed in the given order into shards of at
    /// most <paramref name="maxShardBytes"/> (a larger tensor gets a shard of its own) named
    /// <c>{baseName}-00001-of-0000N.safetensors</c>, plus <c>{baseName}.safetensors.index.json</c>; a single shard
    /// is written as plain <c>{baseName}.safetensors</c> without an index. Stale files of an earlier save with the
    /// same base name are removed. <paramref name="metadata"/> defaults to <c>{"format": "pt"}</c>, which
    /// transformers expects. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> SaveSharded(string directory, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        long maxShardBytes, string baseName = "model", IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var planned = Plan(tensors);
        metadata ??= new Dictionary<string, string> { ["format"] = "pt" };
        Directory.CreateDirectory(directory);

        var shards = SplitIntoShards(planned, maxShardBytes);
        var written = new List<string>();
        if (shards.Count <= 1)
        {
            string file = Path.Combine(directory, baseName + ".safetensors");
            Save(file, planned.Select(p => KeyValuePair.Create(p.Name, p.Tensor)), metadata);
            written.Add(file);
        }
        else
        {
            var weightMap = new List<KeyValuePair<string, string>>();
            for (int i = 0; i < shards.Count; i++)
            {
                string name = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                string file = Path.Combine(directory, name);
                Save(file, shards[i].Select(p => KeyValuePair.Create(p.Name, p.Tensor)), metadata);
                weightMap.AddRange(shards[i].Select(p => KeyValuePair.Create(p.Name, name)));
                written.Add(file);
            }
            string index = Path.Combine(directory, SafetensorsIndex.FileName(baseName));
            byte[] json = SafetensorsIndex.Build(planned.Sum(p => p.Bytes), weightMap);
            WriteAtomically(index, stream => stream.Write(json));
            written.Add(index);
        }
        RemoveStaleFiles(directory, baseName, written);
        return written;
    }

    static List<Planned> Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var planned = new List<Planned>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor name is empty.", nameof(tensors));
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"tensors['{name}']");
            var dtype = SafetensorsDTypes.FromScalarType(tensor.dtype);
            planned.Add(new Planned(name, tensor, dtype, tensor.shape, checked(tensor.numel() * tensor.element_size())));
        }
        return planned;
    }

    // huggingface_hub's split_state_dict_into_shards_factory: greedy in order; an oversized tensor becomes its
    // own shard immediately, without closing the shard being filled.
    static List<List<Planned>> SplitIntoShards(List<Planned> planned, long maxShardBytes)
    {
        var shards = new List<List<Planned>>();
        var current = new List<Planned>();
        long currentBytes = 0;
        foreach (var p in planned)
        {
            if (p.Bytes > maxShardBytes)
            {
                shards.Add([p]);
                continue;
            }
            if (currentBytes + p.Bytes > maxShardBytes && current.Count > 0)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(p);
            currentBytes += p.Bytes;
        }
        if (current.Count > 0) shards.Add(current);
        return shards;
    }

    /// <summary>The padded JSON header for tensors laid out in the Python package's order.</summary>
    static byte[] BuildHeader(List<Planned> planned, IReadOnlyDictionary<string, string>? metadata)
    {
        // Descending dtype (the format's alignment order), then name: what safetensors' `prepare` does.
        planned.Sort((a, b) =>
        {
            int byType = b.DType.CompareTo(a.DType);
            return byType != 0 ? byType : SafetensorsJson.CompareUtf8(a.Name, b.Name);
        });
        var sb = new StringBuilder("{");
        if (metadata is not null)
        {
            sb.Append("\"__metadata__\":{");
            bool first = true;
            foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, Comparer<string>.Create(SafetensorsJson.CompareUtf8)))
            {
                if (!first) sb.Append(',');
                first = false;
                sb.AppendSerde(key).Append(':').AppendSerde(value ?? throw new ArgumentException($"Metadata '{key}' is null.", nameof(metadata)));
            }
            sb.Append('}');
        }
        long offset = 0;
        foreach (var p in planned)
        {
            if (sb.Length > 1) sb.Append(',');
            sb.AppendSerde(p.Name).Append(":{\"dtype\":\"").Append(p.DType.ToHeaderString()).Append("\",\"shape\":[")
                .AppendJoin(',', p.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))
                .Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += p.Bytes;
            sb.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        sb.Append('}');
        byte[] json;
        try { json = StrictUtf8.GetBytes(sb.ToString()); }
        catch (EncoderFallbackException e) { throw new ArgumentException("A tensor name or metadata string is not valid Unicode.", e); }
        int padded = (json.Length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MaxHeaderBytes)
            throw new InvalidOperationException($"The safetensors header would be {padded} bytes, above the format's 100 MB limit.");
        byte[] header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }

    static void WriteAtomically(string path, Action<FileStream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    static void RemoveStaleFiles(string directory, string baseName, List<string> written)
    {
        var keep = new HashSet<string>(written.Select(Path.GetFullPath), StringComparer.Ordinal);
        var shardPattern = new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(baseName) + @"-\d{5}-of-\d{5}\.safetensors$");
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            bool ours = shardPattern.IsMatch(name) || name == baseName + ".safetensors" || name == SafetensorsIndex.FileName(baseName);
            if (ours && !keep.Contains(Path.GetFullPath(file))) File.Delete(file);
        }
    }
}
