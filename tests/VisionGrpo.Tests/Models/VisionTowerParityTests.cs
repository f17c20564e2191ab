using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>The vision tower against transformers' own intermediates and outputs (fp32, eager attention).</summary>
public class VisionTowerParityTests
{
    const double Fp32Tolerance = 1e-4;

    static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        return (a.to(ScalarType.Float32) - b).abs().max().item<float>();
    }

    [Fact]
    public void ParameterNamesAreTheCheckpointNames()
    {
        TorchRuntime.EnsureInitialized();
        var tower = new Qwen2_5_VisionTransformer(VisionTowerFixture.Config());
        var names = new SortedSet<string>(tower.named_parameters().Select(p => p.name), StringComparer.Ordinal);
        Assert.Equal(VisionTowerFixture.CheckpointVisionNames(), names);
        Assert.Empty(tower.named_buffers());
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    public void EveryIntermediateMatchesTransformers(string caseName)
    {
        var tower = VisionTowerFixture.LoadTower();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var t = VisionTowerFixture.LoadCase(caseName, "pixel_values", "image_grid_thw", "vision.patch_embed",
            "vision.block_outputs", "vision.merger_output_window_order", "image_embeds");
        var trace = new VisionTowerTrace();
        var embeds = tower.forward(t["pixel_values"], t["image_grid_thw"], trace);

        Assert.True(MaxAbsDiff(trace.PatchEmbed!, t["vision.patch_embed"]) < Fp32Tolerance);
        Assert.Equal(4, trace.BlockOutputs.Count);
        for (int i = 0; i < 4; i++)
        {
            double d = MaxAbsDiff(trace.BlockOutputs[i], t["vision.block_outputs"][i]);
            Assert.True(d < Fp32Tolerance, $"block {i}: max |diff| {d}");
        }
        Assert.True(MaxAbsDiff(trace.MergerOutputWindowOrder!, t["vision.merger_output_window_order"]) < Fp32Tolerance);
        double final = MaxAbsDiff(embeds, t["image_embeds"]);
        Assert.True(final < Fp32Tolerance, $"image_embeds: max |diff| {final}");
    }

    [Fact]
    public void ABatchOfImagesEqualsEachImageAlone()
    {
        var tower = VisionTowerFixture.LoadTower();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var t = VisionTowerFixture.LoadCase("case_b", "pixel_values", "image_grid_thw");
        var batch = tower.forward(t["pixel_values"], t["image_grid_thw"]);
        // Grids [1,4,12] (48 patches, 12 tokens) and [1,10,14] (140 patches, 35 tokens).
        var first = tower.forward(t["pixel_values"].narrow(0, 0, 48), t["image_grid_thw"].narrow(0, 0, 1));
        var second = tower.forward(t["pixel_values"].narrow(0, 48, 140), t["image_grid_thw"].narrow(0, 1, 1));
        Assert.True(MaxAbsDiff(batch.narrow(0, 0, 12), first) < 1e-5);
        Assert.True(MaxAbsDiff(batch.narrow(0, 12, 35), second) < 1e-5);
        // Reversing the image order reverses the output blocks: nothing leaks across images.
        var swapped = tower.forward(cat([t["pixel_values"].narrow(0, 48, 140), t["pixel_values"].narrow(0, 0, 48)]),
            t["image_grid_thw"].flip(0));
        Assert.True(MaxAbsDiff(swapped.narrow(0, 35, 12), first) < 1e-5);
    }

    [Fact]
    public void BFloat16ForwardStaysCloseToTransformersFp32()
    {
        var tower = VisionTowerFixture.LoadTower();
        tower.to(ScalarType.BFloat16);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var t = VisionTowerFixture.LoadCase("case_b", "pixel_values", "image_grid_thw", "image_embeds");
        var embeds = tower.forward(t["pixel_values"], t["image_grid_thw"]);
        Assert.Equal(ScalarType.BFloat16, embeds.dtype);
        var reference = t["image_embeds"];
        var diff = embeds.to(ScalarType.Float32) - reference;
        // bf16 keeps 8 mantissa bits: ~0.4% per rounding, a few percent after 4 blocks and the merger.
        double relative = (diff.norm() / reference.norm()).item<float>();
        Assert.True(relative < 3e-2, $"relative error {relative}");
        Assert.True(diff.abs().max().item<float>() < 0.1);
        Assert.False(embeds.isnan().any().item<bool>());
    }

    [Fact]
    public void PixelRowsMustMatchTheGrid()
    {
        var tower = new Qwen2_5_VisionTransformer(VisionTowerFixture.Config());
        using var scope = NewDisposeScope();
        var grid = tensor(new long[] { 1, 4, 4 }).reshape(1, 3);
        var e = Assert.Throws<ArgumentException>(() => tower.forward(zeros(15, 1176), grid));
        Assert.Contains("16 patches", e.Message);
        Assert.Throws<ArgumentException>(() => tower.forward(zeros(16, 1000), grid));
    }

    [Fact]
    public void GradientsFlowToEveryParameter()
    {
        var tower = VisionTowerFixture.LoadTower();
        tower.train();
        using var scope = NewDisposeScope();
        var t = VisionTowerFixture.LoadCase("case_b", "pixel_values", "image_grid_thw");
        tower.forward(t["pixel_values"], t["image_grid_thw"]).square().sum().backward();
        foreach (var (name, p) in tower.named_parameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} got a zero gradient");
        }
    }
}
