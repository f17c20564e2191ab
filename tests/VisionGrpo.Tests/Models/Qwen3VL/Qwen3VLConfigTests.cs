using System.Text.Json.Nodes;
using VisionGrpo.Models;
using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>Reading Qwen3-VL's hub config.json, and the errors a broken one gives (each naming the key).</summary>
public class Qwen3VLConfigTests
{
    static JsonObject Fixture() => JsonNode.Parse(File.ReadAllText(Path.Combine(Fx.DirOf(Fx.Qwen3VL), "config.json")))!.AsObject();

    [Fact]
    public void TheFixtureConfigReadsAsTheHubLayoutMeansIt()
    {
        var config = QwenVLConfig.Load(Fx.DirOf(Fx.Qwen3VL));
        Assert.Equal(ModelFamily.Qwen3VL, config.Family);
        var t = config.Text;
        Assert.Equal((64, 16, 6, 2, 96), (t.HiddenSize, t.HeadDim, t.NumAttentionHeads, t.NumKeyValueHeads, t.QueryWidth));
        Assert.Equal((false, false, true, true, 5e6), (t.QkvBias, t.OutputBias, t.QkNorm, t.MropeInterleaved, t.RopeTheta));
        Assert.Equal([4, 2, 2], t.MropeSection!);
        Assert.False(t.TieWordEmbeddings);
        Assert.Equal((480, 492, 489, 490), (config.BosTokenId, config.ImageTokenId, config.VisionStartTokenId, config.VisionEndTokenId));
        Assert.Equal([482], config.EosTokenIds);
        Assert.Equal((16, 2, 2), (config.Vision!.PatchSize, config.Vision.SpatialMergeSize, config.Vision.DeepstackLevels));
    }

    [Fact]
    public void InterleavedSectionsGiveHeightAndWidthEveryThirdFrequency()
    {
        // [24, 20, 20] over 64 frequencies: h at 1, 4, …, 58; w at 2, 5, …, 59; t elsewhere (0, 3, …, and 60–63).
        long[] c = VisionGrpo.Models.Qwen2.Qwen2RotaryEmbedding.Components([24, 20, 20], 64, interleaved: true);
        Assert.Equal(20, c.Count(x => x == 1));
        Assert.Equal(20, c.Count(x => x == 2));
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2 }, c[..6]);
        Assert.Equal(new long[] { 0, 1, 2, 0, 0, 0, 0 }, c[57..]);
        // Qwen2.5-VL's blocks for contrast: 16 t, then 24 h, then 24 w.
        long[] blocks = VisionGrpo.Models.Qwen2.Qwen2RotaryEmbedding.Components([16, 24, 24], 64, interleaved: false);
        Assert.Equal((0L, 1L, 2L), (blocks[15], blocks[16], blocks[40]));
    }

    [Theory]
    [InlineData("text_config", null, "text_config")]
    [InlineData("vision_config.deepstack_visual_indexes", "[0, 9]", "deepstack_visual_indexes")]
    [InlineData("vision_config.num_position_embeddings", "60", "num_position_embeddings")]
    [InlineData("vision_config.out_hidden_size", "32", "hidden_size")]
    [InlineData("text_config.rope_scaling", "{\"mrope_section\": [4, 2, 1], \"mrope_interleaved\": true}", "mrope_section")]
    public void BrokenConfigsNameTheKey(string path, string? json, string named)
    {
        var config = Fixture();
        string[] parts = path.Split('.');
        var parent = parts.Length == 1 ? config : config[parts[0]]!.AsObject();
        if (json is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = JsonNode.Parse(json);
        var e = Assert.ThrowsAny<Exception>(() => QwenVLConfig.Parse(config.ToJsonString(), "cfg.json"));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains(named, e.Message);
        Assert.Contains("cfg.json", e.Message);
    }
}
