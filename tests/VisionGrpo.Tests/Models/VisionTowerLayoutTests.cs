using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>Window permutation, attention segments and rotary positions: exact integers from the spec and the fixture.</summary>
public class VisionTowerLayoutTests
{
    static VisionWindowLayout Layout(params VisionGrid[] grids) => VisionWindowLayout.Compute(grids, 4, 2);

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    public void WindowIndexAndSegmentsMatchTransformers(string caseName)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var t = VisionTowerFixture.LoadCase(caseName, "image_grid_thw", "vision.window_index", "vision.cu_window_seqlens", "vision.cu_seqlens");
        var layout = VisionWindowLayout.Compute(VisionGrid.FromTensor(t["image_grid_thw"], 2), 4, 2);
        Assert.Equal(t["vision.window_index"].data<long>().ToArray(), layout.WindowIndex);
        Assert.Equal(t["vision.cu_window_seqlens"].data<long>().ToArray(), layout.CuWindowSeqlens.Select(x => (long)x));
        Assert.Equal(t["vision.cu_seqlens"].data<long>().ToArray(), layout.CuSeqlens.Select(x => (long)x));
    }

    [Fact]
    public void EmptyPaddingWindowsAreDropped()
    {
        // Spec 5.3: lh 8, lw 12 -> raw [0,64,128,192,192,256,320,384,384,...] -> deduplicated.
        var layout = Layout(new VisionGrid(1, 16, 24));
        Assert.Equal([0, 64, 128, 192, 256, 320, 384], layout.CuWindowSeqlens);
        Assert.Equal([0L, 1, 2, 3, 12, 13, 14, 15, 24, 25, 26, 27, 36, 37, 38, 39, 4, 5, 6, 7, 16], layout.WindowIndex.Take(21));
        Assert.Equal([0, 384], layout.CuSeqlens);
    }

    [Fact]
    public void PartialWindowsAtTheEdges()
    {
        Assert.Equal([0, 64, 128, 160, 224, 288, 320, 352, 384, 400], Layout(new VisionGrid(1, 20, 20)).CuWindowSeqlens);
        Assert.Equal(
            [0, 64, 128, 192, 256, 320, 368, 432, 496, 560, 624, 688, 736, 800, 864, 928, 992, 1056, 1104, 1168, 1232,
             1296, 1360, 1424, 1472, 1488, 1504, 1520, 1536, 1552, 1564],
            Layout(new VisionGrid(1, 34, 46)).CuWindowSeqlens);
    }

    [Fact]
    public void TwoImagesContinueIndicesAndBoundaries()
    {
        var layout = Layout(new VisionGrid(1, 4, 6), new VisionGrid(1, 16, 16));
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 22, 23, 24, 25, 30, 31, 32, 33, 10], layout.WindowIndex.Take(23));
        Assert.Equal([0, 24, 88, 152, 216, 280], layout.CuWindowSeqlens);
        Assert.Equal([0, 24, 280], layout.CuSeqlens);
        var inverse = layout.InverseWindowIndex();
        for (int i = 0; i < inverse.Length; i++) Assert.Equal(i, layout.WindowIndex[inverse[i]]);
    }

    [Fact]
    public void VideoFramesAreSeparateFullAttentionSegments()
    {
        var layout = Layout(new VisionGrid(2, 4, 4), new VisionGrid(1, 2, 2));
        Assert.Equal([0, 16, 32, 36], layout.CuSeqlens);
        // Frame 1 of the video starts at merged token 4 and keeps its own window.
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 8], layout.WindowIndex);
        Assert.Equal([0, 16, 32, 36], layout.CuWindowSeqlens);
    }

    [Fact]
    public void RotaryPositionsFollowMergeBlocks()
    {
        var rotary = new VisionRotaryEmbedding(new Qwen2_5_VLVisionConfig { HiddenSize = 1280, NumHeads = 16 });
        long[] ids = rotary.PositionIds([new VisionGrid(1, 4, 6)]);
        long[] expected =
        [
            0, 0, 0, 1, 1, 0, 1, 1, 0, 2, 0, 3, 1, 2, 1, 3, 0, 4, 0, 5, 1, 4, 1, 5,
            2, 0, 2, 1, 3, 0, 3, 1, 2, 2, 2, 3, 3, 2, 3, 3, 2, 4, 2, 5, 3, 4, 3, 5,
        ];
        Assert.Equal(expected, ids);
        Assert.Equal(expected.Concat(expected), rotary.PositionIds([new VisionGrid(2, 4, 6)]));
    }

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    public void RotaryFrequenciesAreBitIdentical(string caseName)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var t = VisionTowerFixture.LoadCase(caseName, "image_grid_thw", "vision.rotary_freqs");
        var rotary = new VisionRotaryEmbedding(VisionTowerFixture.Config());
        var freqs = rotary.PatchFrequencies(VisionGrid.FromTensor(t["image_grid_thw"], 2));
        Assert.Equal(t["vision.rotary_freqs"].shape, freqs.shape);
        Assert.Equal(t["vision.rotary_freqs"].data<float>().ToArray(), freqs.data<float>().ToArray());
    }

    [Fact]
    public void BadGridRowsAreRejected()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var odd = tensor(new long[] { 1, 4, 4, 1, 5, 4 }).reshape(2, 3);
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => VisionGrid.FromTensor(odd, 2)).Message);
        Assert.Contains("[n, 3]", Assert.Throws<ArgumentException>(() => VisionGrid.FromTensor(zeros(2, 2, dtype: ScalarType.Int64), 2)).Message);
    }
}
