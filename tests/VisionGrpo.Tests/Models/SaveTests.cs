using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

public class SaveTests
{
    [Fact]
    public void ShardedSaveRoundTripsAndCopiesProcessorFiles()
    {
        using var scope = NewDisposeScope();
        string dir = Directory.CreateTempSubdirectory("vg-save-").FullName;
        try
        {
            using var model = TinyFixture.Model();
            ModelFolder.Save(model, dir, TinyFixture.Dir, maxShardBytes: 600_000);
            Assert.True(File.Exists(Path.Combine(dir, "model.safetensors.index.json")));
            Assert.True(Directory.GetFiles(dir, "model-0000*-of-*.safetensors").Length > 1);
            Assert.True(File.Exists(Path.Combine(dir, "preprocessor_config.json")));
            Assert.Equal(File.ReadAllText(Path.Combine(TinyFixture.Dir, "generation_config.json")), File.ReadAllText(Path.Combine(dir, "generation_config.json")));
            using var reloaded = ModelFolder.Load(dir);
            var a = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in reloaded.named_parameters())
                Assert.True(a[name].eq(p).all().item<bool>(), name);
            Assert.Equal(1012, reloaded.Config.ImageTokenId);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TiedModelOmitsLmHeadAndInitIsDeterministic()
    {
        using var scope = NewDisposeScope();
        string json = File.ReadAllText(Path.Combine(TinyFixture.Dir, "config.json")).Replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");
        var config = QwenVLConfig.Parse(json, "tied.json");
        string dir = Directory.CreateTempSubdirectory("vg-tied-").FullName;
        try
        {
            using var model = new QwenVLForConditionalGeneration(config, ScalarType.BFloat16);
            ModelInitializer.Initialize(model, seed: 3);
            using var again = new QwenVLForConditionalGeneration(config, ScalarType.BFloat16);
            ModelInitializer.Initialize(again, seed: 3);
            Assert.True(model.model.embed_tokens.weight!.eq(again.model.embed_tokens.weight!).all().item<bool>());
            Assert.Null(model.lm_head);
            ModelFolder.Save(model, dir);
            using var file = VisionGrpo.Tensors.SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
            Assert.DoesNotContain("lm_head.weight", file.Names);
            Assert.Equal(80, file.Names.Count);
            Assert.Contains("\"dtype\": \"bfloat16\"", File.ReadAllText(Path.Combine(dir, "config.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
