using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Models.Qwen2_VL;
using VisionGrpo.Tensors;
using VisionGrpo.Vision;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>
/// What is specific to Qwen2-VL, against its golden fixture (transformers' own outputs): family dispatch, the
/// LayerNorm/QuickGELU vision tower stage by stage, the processor, and counts from config.json alone. The decoder,
/// positions, greedy decoding, both key layouts and <c>model run</c> are covered by the shared theories
/// (ParityTests, VisionPathTests, WeightLoadingTests, ModelCliTests, LoraConfigTests) with a Qwen2-VL row.
/// </summary>
public class Qwen2VLTests
{
    const double Tolerance = 1e-4;
    const string Fixture = TinyFixture.Qwen2VL;

    [Fact]
    public void ModelTypeSelectsTheQwen2VLFamilyAndItsConfigNames()
    {
        var c = QwenVLConfig.Load(TinyFixture.DirOf(Fixture));
        Assert.Same(ModelFamily.Qwen2VL, c.Family);
        var v = Assert.IsType<Qwen2VLVisionConfig>(c.Vision);
        Assert.Equal(48, v.HiddenSize);    // embed_dim
        Assert.Equal(64, v.OutHiddenSize); // hidden_size = the merger output = text hidden
        Assert.Equal(96, v.MlpWidth);      // embed_dim · mlp_ratio 2
        Assert.Equal("quick_gelu", v.HiddenAct);
        Assert.True(c.Text.TieWordEmbeddings); // only inside text_config in this re-save
        Assert.Equal(new[] { 2, 3, 3 }, c.Text.MropeSection);
        Assert.Equal(1012, c.ImageTokenId);
        var e = Assert.Throws<NotSupportedException>(() => QwenVLConfig.Parse("""{"model_type": "llava"}""", "x.json"));
        Assert.Contains("x.json: model_type 'llava' is not supported", e.Message);
        Assert.Contains("'qwen2_vl' (Qwen2-VL)", e.Message);
    }

    [Theory]
    [InlineData("""{"embed_dim": 50, "num_heads": 3}""", "vision_config.embed_dim (50) is not divisible by num_heads")]
    [InlineData("""{"mlp_ratio": 0}""", "vision_config.mlp_ratio")]
    [InlineData("""{"hidden_size": 0}""", "vision_config.hidden_size must be positive")]
    [InlineData("""{"in_chans": 3, "in_channels": 1}""", "in_chans (3) and in_channels (1) disagree")]
    public void BadVisionValuesNameTheirKey(string visionJson, string expected)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(visionJson);
        Assert.Contains(expected, Assert.Throws<FormatException>(() => Qwen2VLVisionConfig.FromJson(doc.RootElement)).Message);
    }

    [Fact]
    public void TheTowerOutputMustBeTheTextWidth()
    {
        string json = File.ReadAllText(TinyFixture.Config2VL2B).Replace("\"hidden_size\": 1536,\n    \"patch_size\"", "\"hidden_size\": 1280,\n    \"patch_size\"");
        var e = Assert.Throws<InvalidDataException>(() => QwenVLConfig.Parse(json, "2b.json"));
        Assert.Contains("2b.json: the vision tower's output width 1280 must equal the text hidden_size 1536", e.Message);
    }

    [Fact]
    public void ParameterCountOfTheTinyConfigMatchesTheBuiltModuleAndTheReadme()
    {
        var config = QwenVLConfig.Load(TinyFixture.DirOf(Fixture));
        Assert.Equal(302_672, ParameterCounts.FromConfig(config).Total);
        TorchRuntime.EnsureInitialized();
        using var model = new QwenVLForConditionalGeneration(config);
        Assert.Equal(302_672, model.parameters().Sum(p => p.numel()));
        Assert.IsType<Qwen2VisionTransformer>(model.visual);
    }

    [Fact]
    public void ParameterCountOfTheReal2BConfig()
    {
        // Qwen2-VL-2B-Instruct by hand (e = 1280, MLP 5120, patch row 3·2·14·14 = 1176; text h = 1536, kv 2·128 = 256):
        //   vision  patch 1280·1176 = 1,505,280
        //           block 2·2e (two LayerNorms) + 3e²+3e (qkv) + e²+e (proj) + e·5120+5120 (fc1) + 5120·e+e (fc2)
        //                 = 5,120 + 4,919,040 + 1,639,680 + 6,558,720 + 6,554,880 = 19,677,440; × 32 = 629,678,080
        //           merger 2e (ln_q) + 5120²+5120 (mlp.0) + 1536·5120+1536 (mlp.2) = 34,087,936
        //           = 665,271,296
        //   text    embed 151936·1536 = 233,373,696
        //           layer q 1536²+1536 + k, v 2·(1536·256+256) + o 1536² + MLP 3·1536·8960 + 2 norms 2·1536
        //                 = 2,360,832 + 786,944 + 2,359,296 + 41,287,680 + 3,072 = 46,797,824; × 28 = 1,310,339,072
        //           final norm 1,536 → 1,543,714,304; head tied (0)
        //   total   2,208,985,600 — the released model's known count.
        var counts = ParameterCounts.FromConfig(QwenVLConfig.Load(TinyFixture.Config2VL2B));
        Assert.Equal(665_271_296, counts.Vision);
        Assert.Equal(1_543_714_304, counts.Language);
        Assert.Equal(0, counts.LmHead);
        Assert.Equal(2_208_985_600, counts.Total);
    }

    [Fact]
    public void PeftLineOfThe2BConfigFromConfigJsonAlone()
    {
        // r = 8 on q_proj, v_proj: only the 28 text layers have such modules (the vision tower has qkv/proj/fc1/fc2).
        //   per layer 8·(1536 + 1536) + 8·(1536 + 256) = 38,912; × 28 = 1,089,536 trainable
        //   all = 2,208,985,600 + 1,089,536 = 2,210,075,136; 100 · 1,089,536 / 2,210,075,136 = 0.0493
        var lora = new LoraConfig { R = 8, LoraAlpha = 32, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj"]) };
        var counts = LoraParameterCounts.FromConfig(QwenVLConfig.Load(TinyFixture.Config2VL2B), lora);
        Assert.Equal(56, counts.Modules);
        Assert.Equal("trainable params: 1,089,536 || all params: 2,210,075,136 || trainable%: 0.0493", counts.TrainableParametersLine);
    }

    [Fact]
    public void LoraCountsFromTheConfigEqualTheWrappedModel()
    {
        using var model = TinyFixture.Model(fixture: Fixture);
        var lora = new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj", "qkv", "fc1", "fc2"]) };
        var counts = LoraParameterCounts.FromConfig(model.Config, lora);
        using var peft = PeftModel.Wrap(model, lora);
        Assert.Equal(peft.GetNbTrainableParameters(), (counts.Trainable, counts.All));
        Assert.Equal(2 * 2 + 3 * 3, counts.Modules);
    }

    [Fact]
    public void TowerParameterNamesAreTheCheckpointNames()
    {
        using var model = TinyFixture.Model(fixture: Fixture);
        using var file = SafetensorsFile.Open(Path.Combine(TinyFixture.DirOf(Fixture), "model.safetensors"));
        var expected = file.Names.Where(n => n.StartsWith("visual.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, model.visual!.named_parameters().Select(p => "visual." + p.name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    public void EveryVisionIntermediateMatchesTransformers(string name)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase(name, Fixture);
        using var model = TinyFixture.Model(fixture: Fixture);
        var tower = Assert.IsType<Qwen2VisionTransformer>(model.visual);
        using var noGrad = no_grad();
        var trace = new VisionTowerTrace();
        var embeds = tower.forward(c["pixel_values"], c["image_grid_thw"], trace);

        var grids = VisionGrid.FromTensor(c["image_grid_thw"], 2);
        Assert.Equal(TinyFixture.Longs(c["vision.cu_seqlens"]), VisionGrid.FrameBoundaries(grids).Select(i => (long)i));
        Assert.InRange(TinyFixture.MaxDiff(trace.RotaryFreqs!, c["vision.rotary_freqs"]), 0, 1e-6);
        Assert.InRange(TinyFixture.MaxDiff(trace.PatchEmbed!, c["vision.patch_embed"]), 0, Tolerance);
        var blocks = c["vision.block_outputs"];
        Assert.Equal(blocks.shape[0], trace.BlockOutputs.Count);
        for (int i = 0; i < trace.BlockOutputs.Count; i++)
            Assert.InRange(TinyFixture.MaxDiff(trace.BlockOutputs[i], blocks[i]), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiff(trace.MergerOutputWindowOrder!, c["vision.merger_output"]), 0, Tolerance);
        Assert.InRange(TinyFixture.MaxDiff(embeds, c["image_embeds"]), 0, Tolerance);
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void ProcessorOutputsEqualTransformers(string name)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase(name, Fixture);
        using var json = TinyFixture.CaseJson(name, Fixture);
        string dir = TinyFixture.DirOf(Fixture);
        var images = json.RootElement.GetProperty("images_in_order").EnumerateArray()
            .Select(i => ImageDecoder.DecodeFile(Path.Combine(dir, "images", i.GetString() + ".png"))).ToList();
        var processed = new QwenImageProcessor(ImageProcessorConfig.Load(dir)).Process(images);
        Assert.Equal(TinyFixture.Longs(c["image_grid_thw"]), processed.GridThw());
        Assert.Equal(0, TinyFixture.MaxDiff(processed.PixelValuesTensor(), c["pixel_values"]));
    }
}
