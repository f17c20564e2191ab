using System.Text;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

public class SafetensorsCheckpointTests
{
    public SafetensorsCheckpointTests() => TorchRuntime.EnsureInitialized();

    // Ten tensors of 400 bytes each (F32 [10, 10]) plus one of 4000 bytes, in a deliberate order.
    static List<KeyValuePair<string, Tensor>> Weights()
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < 10; i++)
            list.Add(KeyValuePair.Create($"layers.{i}.weight", torch.full(10, 10, (float)i)));
        list.Insert(3, KeyValuePair.Create("embed.weight", torch.arange(1000, dtype: ScalarType.Float32)));
        return list;
    }

    [Fact]
    public void ShardedSaveSplitsLikeHuggingFaceHubAndLoadsBack()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var weights = Weights();
        var files = SafetensorsWriter.SaveSharded(dir.Path, weights, maxShardBytes: 1000);

        // Greedy in order (l0, l1, l2, embed, l3..l9): [l0, l1] closes when l2 does not fit; the oversized embed
        // becomes its own shard at once, while [l2] is still open; then [l2, l3], [l4, l5], [l6, l7], [l8, l9].
        Assert.Equal(7, files.Count);
        Assert.Equal("model-00001-of-00006.safetensors", Path.GetFileName(files[0]));
        Assert.Equal("model.safetensors.index.json", Path.GetFileName(files[^1]));
        using (var first = SafetensorsFile.Open(dir.File("model-00001-of-00006.safetensors")))
        {
            Assert.Equal(["layers.0.weight", "layers.1.weight"], first.Names);
            Assert.Equal("pt", first.Metadata["format"]);
        }
        using (var second = SafetensorsFile.Open(dir.File("model-00002-of-00006.safetensors")))
            Assert.Equal(["embed.weight"], second.Names);

        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        Assert.Equal(weights.Select(w => w.Key).Order(StringComparer.Ordinal), checkpoint.Names);
        foreach (var (name, tensor) in weights)
            Assert.True(SafetensorsTestFiles.SameBits(tensor, checkpoint.Load(name)), name);
        var target = torch.zeros(1000, dtype: ScalarType.BFloat16);
        checkpoint.CopyInto("embed.weight", target);
        Assert.True(SafetensorsTestFiles.SameBits(torch.arange(1000, dtype: ScalarType.Float32).to(ScalarType.BFloat16), target));
    }

    [Fact]
    public void IndexFileIsWhatTransformersWrites()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        SafetensorsWriter.SaveSharded(dir.Path,
            [KeyValuePair.Create("b", torch.ones(100)), KeyValuePair.Create("a", torch.ones(100)), KeyValuePair.Create("é", torch.ones(2))],
            maxShardBytes: 400);
        // json.dumps(index, indent=2, sort_keys=True) + "\n", ensure_ascii escapes.
        const string expected = "{\n  \"metadata\": {\n    \"total_size\": 808\n  },\n  \"weight_map\": {\n" +
            "    \"a\": \"model-00002-of-00003.safetensors\",\n    \"b\": \"model-00001-of-00003.safetensors\",\n" +
            "    \"\\u00e9\": \"model-00003-of-00003.safetensors\"\n  }\n}\n";
        Assert.Equal(expected, File.ReadAllText(dir.File("model.safetensors.index.json"), Encoding.ASCII));
    }

    [Fact]
    public void SingleShardIsPlainModelSafetensorsAndStaleShardsAreRemoved()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        SafetensorsWriter.SaveSharded(dir.Path, Weights(), maxShardBytes: 1000);
        var files = SafetensorsWriter.SaveSharded(dir.Path, Weights(), maxShardBytes: 1L << 30);
        Assert.Equal([dir.File("model.safetensors")], files);
        Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        using var checkpoint = SafetensorsCheckpoint.Open(dir.File("model.safetensors"));
        Assert.Equal(11, checkpoint.Names.Count);
    }

    [Fact]
    public void MissingShardIsAClearError()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        SafetensorsWriter.SaveSharded(dir.Path, Weights(), maxShardBytes: 1000);
        File.Delete(dir.File("model-00004-of-00006.safetensors"));
        var error = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(dir.Path));
        Assert.Contains("model-00004-of-00006.safetensors", error.Message);
        Assert.Contains("model.safetensors.index.json", error.Message);
    }

    [Fact]
    public void KeyInIndexButNotInShardIsAFormatError()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        SafetensorsWriter.SaveSharded(dir.Path, Weights(), maxShardBytes: 1000);
        string index = dir.File("model.safetensors.index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace(
            "\"layers.9.weight\": \"model-00006-of-00006.safetensors\"", "\"layers.9.weight\": \"model-00001-of-00006.safetensors\""));
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(dir.Path));
        Assert.Contains("layers.9.weight", error.Message);
        Assert.Contains("model-00001-of-00006.safetensors", error.Message);
    }

    [Theory]
    [InlineData("{\"weight_map\": {\"a\": \"../x.safetensors\"}}")]
    [InlineData("{\"weight_map\": {\"a\": 3}}")]
    [InlineData("{\"metadata\": {}}")]
    [InlineData("[1, 2]")]
    [InlineData("{\"weight_map\": {")]
    public void MalformedIndexIsAFormatError(string json)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("model.safetensors.index.json"), json);
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.Open(dir.Path));
        Assert.Contains("model.safetensors.index.json", error.Message);
    }

    [Fact]
    public void EmptyDirectoryNamesWhatWasExpected()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(dir.Path));
        Assert.Contains("model.safetensors.index.json", error.Message);
    }
}
