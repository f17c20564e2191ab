using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VisionGrpo.Tensors;

/// <summary>Reads and writes <c>model.safetensors.index.json</c> the way transformers' <c>save_pretrained</c> does.</summary>
internal static class SafetensorsIndex
{
    /// <summary>Index file name for a checkpoint base name (<c>model</c> → <c>model.safetensors.index.json</c>).</summary>
    public static string FileName(string baseName) => baseName + ".safetensors.index.json";

    /// <summary>The <c>weight_map</c> entries in file order; shard names must be plain file names.</summary>
    public static List<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, $"the index is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(indexPath, "the index has no 'weight_map' object.");
            var result = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new SafetensorsFormatException(indexPath, $"weight_map['{entry.Name}'] is a JSON {entry.Value.ValueKind}, not a file name.");
                string shard = entry.Value.GetString()!;
                // A shard must sit next to the index: refuse paths that could point elsewhere.
                if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or "..")
                    throw new SafetensorsFormatException(indexPath, $"weight_map['{entry.Name}'] = '{shard}' is not a plain file name.");
                if (!seen.Add(entry.Name))
                    throw new SafetensorsFormatException(indexPath, $"weight_map has the key '{entry.Name}' twice.");
                result.Add(new(entry.Name, shard));
            }
            return result;
        }
    }

    /// <summary>
    /// The index JSON as transformers writes it: <c>json.dumps(index, indent=2, sort_keys=True) + "\n"</c> with
    /// <c>metadata.total_size</c> and <c>weight_map</c>.
    /// </summary>
    public static byte[] Build(long totalSize, IEnumerable<KeyValuePair<string, string>> weightMap)
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"metadata\": {\n    \"total_size\": ")
            .Append(totalSize.ToString(CultureInfo.InvariantCulture))
            .Append("\n  },\n  \"weight_map\": {");
        bool first = true;
        foreach (var (name, shard) in weightMap.OrderBy(p => p.Key, Comparer<string>.Create(SafetensorsJson.CompareUtf8)))
        {
            sb.Append(first ? "\n    " : ",\n    ").AppendPythonAscii(name).Append(": ").AppendPythonAscii(shard);
            first = false;
        }
        sb.Append(first ? "}" : "\n  }").Append("\n}\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
