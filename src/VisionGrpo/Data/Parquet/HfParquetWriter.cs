using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;

namespace VisionGrpo.Data.Parquet;

/// <summary>One row to write: an encoded image (or null) and the text columns' values.</summary>
/// <param name="Image">Encoded image bytes (PNG/JPEG), stored in the <c>Image</c> struct's <c>bytes</c>.</param>
/// <param name="Texts">Values of the text columns, in column order.</param>
internal sealed record HfRow(byte[]? Image, IReadOnlyList<string?> Texts);

/// <summary>
/// Writes a split as HF Hub-style parquet shards (<c>data/{split}-0000i-of-0000N.parquet</c>) with an <c>image</c>
/// struct column plus string columns and the <c>huggingface</c> features metadata, as <c>push_to_hub</c> lays them out.
/// </summary>
internal static class HfParquetWriter
{
    /// <summary>Writes <paramref name="rows"/> into <paramref name="shards"/> files under <c>dir/data</c>.</summary>
    /// <returns>The written files, relative to <paramref name="dir"/>.</returns>
    public static IReadOnlyList<string> WriteSplit(string dir, string split, IReadOnlyList<string> textColumns, IReadOnlyList<HfRow> rows, int shards, int rowGroupSize = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        var files = new List<string>();
        int per = (rows.Count + shards - 1) / shards;
        for (int s = 0; s < shards; s++)
        {
            string rel = $"data/{split}-{s:00000}-of-{shards:00000}.parquet";
            var slice = rows.Skip(s * per).Take(per).ToList();
            WriteFileAsync(Path.Combine(dir, rel), textColumns, slice, rowGroupSize).GetAwaiter().GetResult();
            files.Add(rel);
        }
        return files;
    }

    /// <summary>The <c>huggingface</c> key-value metadata: <c>{"info": {"features": {...}}}</c>.</summary>
    public static string FeaturesMetadata(IReadOnlyList<string> textColumns)
    {
        var features = new JsonObject { ["image"] = new JsonObject { ["_type"] = "Image" } };
        foreach (string c in textColumns) features[c] = new JsonObject { ["dtype"] = "string", ["_type"] = "Value" };
        return new JsonObject { ["info"] = new JsonObject { ["features"] = features } }.ToJsonString();
    }

    static async Task WriteFileAsync(string path, IReadOnlyList<string> textColumns, List<HfRow> rows, int rowGroupSize)
    {
        var bytesField = new DataField<byte[]>("bytes", true);
        var pathField = new DataField<string>("path", true);
        var texts = textColumns.Select(c => new DataField<string>(c, true)).ToList();
        var schema = new ParquetSchema(new Field[] { new StructField("image", bytesField, pathField) }.Concat(texts));

        string tmp = path + ".tmp";
        await using (var stream = File.Create(tmp))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            writer.CustomMetadata = new Dictionary<string, string> { ["huggingface"] = FeaturesMetadata(textColumns) };
            for (int start = 0; start < rows.Count || start == 0; start += rowGroupSize)
            {
                var group = rows.Skip(start).Take(rowGroupSize).ToList();
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync(bytesField, group.Select(r => r.Image).ToList());
                await rg.WriteAsync(pathField, group.Select(_ => (string?)null).ToList());
                for (int c = 0; c < texts.Count; c++)
                    await rg.WriteAsync(texts[c], group.Select(r => r.Texts[c]).ToList());
                if (rows.Count == 0) break;
            }
        }
        // Write-then-rename: a crash never leaves a truncated shard that looks complete.
        File.Move(tmp, path, overwrite: true);
    }
}
