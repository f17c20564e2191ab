using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

public class WeightLoadingTests
{
    [Theory]
    [InlineData("model.language_model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.up_proj.weight")]
    [InlineData("model.visual.blocks.1.attn.qkv.bias", "visual.blocks.1.attn.qkv.bias")]
    [InlineData("model.embed_tokens.weight", "model.embed_tokens.weight")]
    [InlineData("visual.merger.mlp.0.weight", "visual.merger.mlp.0.weight")]
    [InlineData("lm_head.weight", "lm_head.weight")]
    public void CanonicalNames(string key, string expected) => Assert.Equal(expected, WeightLoader.Canonicalize(key));

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL, 81)]
    [InlineData(TinyFixture.Qwen2VL, 69)]
    public void BothKeyLayoutsLoadTheSameWeights(string fixture, int tensors)
    {
        using var scope = NewDisposeScope();
        using var original = TinyFixture.Model(fixture: fixture);
        using var other = new QwenVLForConditionalGeneration(original.Config);
        using (var checkpoint = SafetensorsCheckpoint.Open(Path.Combine(TinyFixture.DirOf(fixture), "model_new_layout.safetensors")))
            WeightLoader.Load(other, checkpoint);
        var a = original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(tensors, a.Count);
        foreach (var (name, p) in other.named_parameters())
            Assert.True(a[name].eq(p).all().item<bool>(), name);
    }

    [Fact]
    public void ProblemsAreListedInOneError()
    {
        using var scope = NewDisposeScope();
        string dir = Directory.CreateTempSubdirectory("vg-weights-").FullName;
        try
        {
            using (var file = SafetensorsFile.Open(Path.Combine(TinyFixture.Dir, "model.safetensors")))
            {
                var tensors = file.Names.Where(n => n != "model.norm.weight" && n != "visual.merger.ln_q.weight")
                    .Select(n => KeyValuePair.Create(n, n == "lm_head.weight" ? file.Load(n).narrow(0, 0, 1000) : file.Load(n)))
                    .Append(KeyValuePair.Create("model.extra.weight", zeros(3)))
                    .ToList();
                SafetensorsWriter.Save(Path.Combine(dir, "model.safetensors"), tensors);
            }
            using var model = new QwenVLForConditionalGeneration(QwenVLConfig.Load(TinyFixture.Dir));
            using var checkpoint = SafetensorsCheckpoint.Open(dir);
            var e = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(model, checkpoint));
            Assert.Contains("Missing (2): ", e.Message);
            Assert.Contains("model.norm.weight", e.Message);
            Assert.Contains("visual.merger.ln_q.weight", e.Message);
            Assert.Contains("Unexpected (1): model.extra.weight", e.Message);
            Assert.Contains("lm_head.weight: checkpoint [1000, 64], model [1024, 64]", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Bf16LoadConvertsEveryTensor()
    {
        using var scope = NewDisposeScope();
        using var fp32 = TinyFixture.Model();
        using var bf16 = TinyFixture.Model(ScalarType.BFloat16);
        var a = fp32.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in bf16.named_parameters())
        {
            Assert.Equal(ScalarType.BFloat16, p.dtype);
            Assert.True(a[name].to(ScalarType.BFloat16).eq(p).all().item<bool>(), name);
        }
    }
}
