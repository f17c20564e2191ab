using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>Files written by the Python safetensors package (qwen2_5_vl_tiny fixture, see its README).</summary>
public class SafetensorsPythonFixtureTests
{
    static readonly string Folder = SafetensorsTestFiles.FixturePath("qwen2_5_vl_tiny");

    public SafetensorsPythonFixtureTests() => TorchRuntime.EnsureInitialized();

    static JsonElement Manifest() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json"))).RootElement;

    [Theory]
    [InlineData("case_a.safetensors")]
    [InlineData("model.safetensors")]
    public void FixtureBytesMatchTheManifest(string name)
    {
        string expected = Manifest().GetProperty("files_sha256").GetProperty(name).GetString()!;
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Folder, name)))));
    }

    [Fact]
    public void CaseANamesDtypesAndShapesMatchTheManifest()
    {
        var tensors = Manifest().GetProperty("cases").GetProperty("case_a").GetProperty("tensors");
        using var file = SafetensorsFile.Open(Path.Combine(Folder, "case_a.safetensors"));
        Assert.Equal(tensors.EnumerateObject().Select(p => p.Name).Order(), file.Names.Order());
        Assert.Equal("pt", file.Metadata["format"]);
        foreach (var p in tensors.EnumerateObject())
        {
            var info = file.Info(p.Name);
            var expectedType = p.Value.GetProperty("dtype").GetString() switch
            {
                "int64" => SafetensorsDType.I64,
                "float32" => SafetensorsDType.F32,
                var other => throw new InvalidOperationException(other),
            };
            Assert.Equal(expectedType, info.DType);
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), info.Shape);
        }
    }

    [Theory]
    [InlineData("input_ids")]
    [InlineData("attention_mask")]
    [InlineData("image_grid_thw")]
    [InlineData("position_ids")]
    [InlineData("rope_deltas")]
    public void CaseAIntegerTensorsEqualTheJsonSidecar(string name)
    {
        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "case_a.json"))).RootElement.GetProperty(name);
        using var file = SafetensorsFile.Open(Path.Combine(Folder, "case_a.safetensors"));
        using var t = file.Load(name);
        Assert.Equal(Flatten(json), t.data<long>().ToArray());
    }

    static IEnumerable<long> Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetInt64()];

    [Fact]
    public void CaseAFloatTensorsAreMutuallyConsistent()
    {
        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(Path.Combine(Folder, "case_a.safetensors"));
        // README: image_embeds = merger_output_window_order[argsort(window_index)], bit for bit.
        var reordered = file.Load("vision.merger_output_window_order").index_select(0, file.Load("vision.window_index").argsort());
        Assert.True(SafetensorsTestFiles.SameBits(file.Load("image_embeds"), reordered));

        // next_token_logprobs[b, t] = log_softmax(logits[b, t])[input_ids[b, t + 1]] (computed in float64).
        var logits = file.Load("logits", ScalarType.Float64);
        var ids = file.Load("input_ids");
        var logProbs = logits.log_softmax(-1)[.., ..^1].gather(-1, ids[.., 1..].unsqueeze(-1)).squeeze(-1);
        var expected = file.Load("next_token_logprobs", ScalarType.Float64);
        Assert.True((logProbs - expected).abs().max().item<double>() < 1e-5);

        var sequences = file.Load("generated_sequences");
        Assert.True(SafetensorsTestFiles.SameBits(sequences, torch.cat([ids, file.Load("generated_ids")], 1)));
    }

    [Fact]
    public void ModelWeightsMatchValuesReadByAnIndependentParser()
    {
        // Reference numbers: Python's struct module over the raw file (first value, last value, math.fsum).
        using var scope = NewDisposeScope();
        using var checkpoint = SafetensorsCheckpoint.Open(Folder);
        Assert.Equal(81, checkpoint.Names.Count);
        Assert.All(checkpoint.Names, n => Assert.Equal(SafetensorsDType.F32, checkpoint.Info(n).DType));
        (string Name, long[] Shape, float First, float Last, double Sum)[] expected =
        [
            ("lm_head.weight", [1024, 64], -0.01732327789068222f, -0.07488793879747391f, -54.483478738348026),
            ("model.norm.weight", [64], 0.9347890019416809f, 0.8254165649414062f, 64.11555832624435),
            ("visual.merger.mlp.0.bias", [256], -0.045979563146829605f, 0.11745535582304001f, -0.8516471064067446),
            ("visual.patch_embed.proj.weight", [64, 3, 2, 14, 14], -0.020555850118398666f, 0.01058668177574873f, -6.208095854577323),
        ];
        foreach (var e in expected)
        {
            var t = checkpoint.Load(e.Name);
            Assert.Equal(e.Shape, t.shape);
            var flat = t.reshape(-1);
            Assert.Equal(e.First, flat[0].item<float>());
            Assert.Equal(e.Last, flat[-1].item<float>());
            Assert.Equal(e.Sum, t.to(ScalarType.Float64).sum().item<double>(), 1e-9);
        }
    }

    [Theory]
    [InlineData("case_a.safetensors")]
    [InlineData("model.safetensors")]
    public void RewritingAPythonFileReproducesItByteForByte(string name)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string source = Path.Combine(Folder, name);
        using var file = SafetensorsFile.Open(source);
        var tensors = file.Names.Select(n => KeyValuePair.Create(n, file.Load(n))).ToList();
        // Feed them in reverse order: the writer must restore the Python package's own ordering.
        tensors.Reverse();
        string copy = dir.File(name);
        SafetensorsWriter.Save(copy, tensors, file.Metadata);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }
}
