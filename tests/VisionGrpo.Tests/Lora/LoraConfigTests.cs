using System.Text.Json.Nodes;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Tests.Models;

namespace VisionGrpo.Tests.Lora;

/// <summary><c>adapter_config.json</c> parsing, target matching (PEFT's rules) and counts from a config alone.</summary>
public class LoraConfigTests
{
    [Fact]
    public void ReadsPeftsFile()
    {
        var r8 = LoraConfig.Load(LoraFixture.Dir(LoraFixture.R8, "adapter"));
        Assert.Equal(8, r8.R);
        Assert.Equal(32, r8.LoraAlpha);
        Assert.Equal(0.1, r8.LoraDropout);
        Assert.Equal(new HashSet<string> { "q_proj", "v_proj" }, r8.TargetModules.Names!.ToHashSet());
        Assert.Equal("CAUSAL_LM", r8.TaskType);
        Assert.Equal("shared/fixtures/qwen2_5_vl_tiny", r8.BaseModelNameOrPath);
        Assert.True(r8.InferenceMode);
        Assert.Equal(4.0, r8.Scaling);
        var r4 = LoraConfig.Load(LoraFixture.Dir(LoraFixture.R4, "adapter", "adapter_config.json"));
        Assert.True(r4.UseRslora);
        Assert.Equal(8 / Math.Sqrt(4), r4.Scaling);
        Assert.Equal(r4, LoraConfig.FromJson(JsonNode.Parse(r4.ToJson())!.AsObject(), "round trip") with { TargetModules = r4.TargetModules });
    }

    [Theory]
    [InlineData("model.language_model.layers.0.self_attn.q_proj", true)]
    [InlineData("model.visual.blocks.3.attn.qkv", false)]
    [InlineData("model.language_model.layers.0.self_attn.xq_proj", false)]
    [InlineData("q_proj", true)]
    public void ListEntriesMatchWholeNamesOrDottedSuffixes(string name, bool expected) =>
        Assert.Equal(expected, LoraTargetModules.FromNames(["q_proj", "v_proj"]).Matches(name));

    [Theory]
    [InlineData("model.language_model.layers.0.self_attn.q_proj", true)]
    [InlineData("model.language_model.layers.10.self_attn.q_proj", false)]
    [InlineData("model.language_model.layers.0.self_attn.q_proj.extra", false)]
    [InlineData("model.visual.blocks.0.attn.qkv", true)]
    public void RegexMustMatchTheWholeName(string name, bool expected) =>
        Assert.Equal(expected, LoraTargetModules.FromPattern(@".*layers\.0\.self_attn\.q_proj|.*\.qkv").Matches(name));

    [Fact]
    public void RegexTargetsWorkOnTheModel()
    {
        using var model = TinyFixture.Model();
        var config = new LoraConfig { TargetModules = LoraTargetModules.FromPattern(@"model\.language_model\.layers\.1\.mlp\.(gate|up)_proj") };
        using var peft = PeftModel.Wrap(model, config);
        Assert.Equal(["model.layers.1.mlp.gate_proj", "model.layers.1.mlp.up_proj"], peft.Layers.Select(l => l.Name));
    }

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL)]
    [InlineData(TinyFixture.Qwen2VL)]
    public void AllLinearWrapsEveryLinearButTheOutputLayerAndSavesTheResolvedNames(string fixture)
    {
        using var model = TinyFixture.Model(fixture: fixture);
        var linears = model.named_modules().Where(m => m.module is TorchSharp.Modules.Linear && m.name != "lm_head").Select(m => m.name).Order().ToList();
        Assert.Contains(linears, n => n.StartsWith("visual.", StringComparison.Ordinal));  // PEFT's all-linear reaches the vision tower
        var config = new LoraConfig { TargetModules = LoraTargetModules.AllLinear };
        using var peft = PeftModel.Wrap(model, config);
        Assert.Equal(linears, peft.Layers.Select(l => l.Name).Order());
        Assert.Equal(LoraParameterCounts.FromConfig(model.Config, config).Trainable, peft.GetNbTrainableParameters().Trainable);

        // As PEFT does, the shorthand is replaced by the full in-memory names it resolved to, and those are saved.
        var dir = Directory.CreateTempSubdirectory("vg-all-linear-").FullName;
        try
        {
            peft.Save(dir);
            var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, LoraConfig.FileName)))!["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            Assert.Equal(linears.Select(LoraKeys.ToHf).Order(), saved.Order());
            Assert.Contains("model.language_model.layers.0.mlp.down_proj", saved);
            using var again = TinyFixture.Model(fixture: fixture);
            using var loaded = PeftModel.Load(again, dir);
            Assert.Equal(linears, loaded.Layers.Select(l => l.Name).Order());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AllLinearIsPeftsStringShorthandInAnyCase()
    {
        var o = JsonNode.Parse(File.ReadAllText(LoraFixture.Dir(LoraFixture.R8, "adapter", "adapter_config.json")))!.AsObject();
        o["target_modules"] = "ALL-LINEAR";
        var config = LoraConfig.FromJson(o, "adapter_config.json");
        Assert.True(config.TargetModules.IsAllLinear);
        Assert.Equal("all-linear", JsonNode.Parse(config.ToJson())!["target_modules"]!.GetValue<string>());
        Assert.False(LoraTargetModules.FromString("all-linear|q_proj").IsAllLinear);  // any other string is a regex
        Assert.Throws<InvalidOperationException>(() => LoraTargetModules.AllLinear.Matches("model.language_model.layers.0.self_attn.q_proj"));
    }

    [Theory]
    [InlineData("use_dora", "true")]
    [InlineData("fan_in_fan_out", "true")]
    [InlineData("layers_to_transform", "[0]")]
    [InlineData("rank_pattern", "{\"q_proj\": 4}")]
    public void UnsupportedOptionsAreRefusedByName(string key, string value)
    {
        var o = JsonNode.Parse(File.ReadAllText(LoraFixture.Dir(LoraFixture.R8, "adapter", "adapter_config.json")))!.AsObject();
        o[key] = JsonNode.Parse(value);
        var e = Assert.Throws<NotSupportedException>(() => LoraConfig.FromJson(o, "my/adapter_config.json"));
        Assert.Contains("my/adapter_config.json", e.Message);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void TargetsThatMatchNothingOrCannotBeWrappedAreErrors()
    {
        var config = QwenVLConfig.Load(TinyFixture.Dir);
        var e = Assert.Throws<ArgumentException>(() => LoraParameterCounts.FromConfig(config, new LoraConfig { TargetModules = LoraTargetModules.FromNames(["c_attn"]) }));
        Assert.Contains("c_attn", e.Message);
        // "proj" also hits the vision patch embedding, a Conv3d (PEFT would wrap it with a LoRA Conv3d).
        Assert.Throws<NotSupportedException>(() => LoraParameterCounts.FromConfig(config, new LoraConfig { TargetModules = LoraTargetModules.FromNames(["proj"]) }));
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void ThreeBLinesFromTheConfigAlone(string variant)
    {
        // Only config.json is read: nothing is allocated for 3.7 B parameters.
        var config = QwenVLConfig.Load(Path.GetDirectoryName(TinyFixture.Config3B)!);
        var meta = LoraFixture.Meta3B(variant);
        var counts = LoraParameterCounts.FromConfig(config, LoraFixture.Config(variant));
        Assert.Equal(meta["print_trainable_parameters"]!.GetValue<string>(), counts.TrainableParametersLine);
        Assert.Equal(meta["lora_module_count"]!.GetValue<int>(), counts.Modules);
    }

    [Fact]
    public void ThreeBRecipeLineIsTheIssuesLine()
    {
        var config = QwenVLConfig.Load(Path.GetDirectoryName(TinyFixture.Config3B)!);
        var lora = new LoraConfig { R = 8, LoraAlpha = 32, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj"]) };
        Assert.Equal("trainable params: 1,843,200 || all params: 3,756,466,176 || trainable%: 0.0491",
            LoraParameterCounts.FromConfig(config, lora).TrainableParametersLine);
    }

    [Theory]
    [InlineData(LoraFixture.R8)]
    [InlineData(LoraFixture.R4)]
    public void ConfigCountsEqualTheAllocatedModel(string variant)
    {
        using var model = TinyFixture.Model();
        var config = LoraFixture.Config(variant);
        using var peft = PeftModel.Wrap(model, config);
        var counts = LoraParameterCounts.FromConfig(model.Config, config);
        Assert.Equal(peft.GetNbTrainableParameters(), (counts.Trainable, counts.All));
        Assert.Equal(peft.Layers.Count, counts.Modules);
        Assert.Equal(LoraFixture.Variant(variant)["print_trainable_parameters"]!.GetValue<string>(), counts.TrainableParametersLine);
    }

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL)]
    [InlineData(TinyFixture.Qwen2VL)]
    public void LayoutFromConfigListsExactlyTheModelsLinears(string fixture)
    {
        using var model = TinyFixture.Model(fixture: fixture);
        var actual = model.named_modules()
            .Where(m => m.module is TorchSharp.Modules.Linear)
            .Select(m => (m.name, ((TorchSharp.Modules.Linear)m.module).weight!.shape[1], ((TorchSharp.Modules.Linear)m.module).weight!.shape[0]))
            .Order().ToList();
        var fromConfig = LoraModuleLayout.FromConfig(model.Config).Where(e => e.IsLinear)
            .Select(e => (e.Name, e.InFeatures, e.OutFeatures)).Order().ToList();
        Assert.Equal(actual, fromConfig);
    }
}
