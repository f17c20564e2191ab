using System.Text.Json;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Tests.Models;

public class RopeIndexTests
{
    static long[] Flat(JsonElement e) => e.ValueKind == JsonValueKind.Array
        ? e.EnumerateArray().SelectMany(Flat).ToArray()
        : [e.GetInt64()];

    [Theory]
    [InlineData("case_a")]
    [InlineData("case_b")]
    [InlineData("case_c")]
    public void PositionIdsAndDeltasEqualTransformers(string name)
    {
        using var doc = TinyFixture.CaseJson(name);
        var root = doc.RootElement;
        int b = root.GetProperty("batch_size").GetInt32(), l = root.GetProperty("seq_len").GetInt32();
        long[]? grids = root.TryGetProperty("image_grid_thw", out var g) && g.ValueKind == JsonValueKind.Array ? Flat(g) : null;
        var (pos, deltas) = RopeIndex.Compute(Flat(root.GetProperty("input_ids")), Flat(root.GetProperty("attention_mask")),
            grids, b, l, imageTokenId: 1012, videoTokenId: 1013, spatialMergeSize: 2);
        Assert.Equal(Flat(root.GetProperty("position_ids")), pos);
        Assert.Equal(Flat(root.GetProperty("rope_deltas")), deltas);
    }

    [Fact]
    public void SpecWorkedExample()
    {
        // 15 text tokens, 6 image tokens of grid (1,4,6), 10 text tokens.
        var ids = Enumerable.Repeat(5L, 15).Concat(Enumerable.Repeat(9L, 6)).Concat(Enumerable.Repeat(5L, 10)).ToArray();
        var (pos, deltas) = RopeIndex.Compute(ids, null, [1, 4, 6], 1, 31, imageTokenId: 9, videoTokenId: 10, spatialMergeSize: 2);
        long[] tail = Enumerable.Range(18, 10).Select(i => (long)i).ToArray();
        long[] head = Enumerable.Range(0, 15).Select(i => (long)i).ToArray();
        Assert.Equal(head.Concat(new long[] { 15, 15, 15, 15, 15, 15 }).Concat(tail), pos[..31]);
        Assert.Equal(head.Concat(new long[] { 15, 15, 15, 16, 16, 16 }).Concat(tail), pos[31..62]);
        Assert.Equal(head.Concat(new long[] { 15, 16, 17, 15, 16, 17 }).Concat(tail), pos[62..]);
        Assert.Equal(new long[] { -3 }, deltas);
    }

    [Fact]
    public void TextOnlyWithoutMaskIsArangeWithZeroDelta()
    {
        var (pos, deltas) = RopeIndex.Compute([3, 4, 5, 6], null, null, 1, 4, 9, 10, 2);
        Assert.Equal(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3 }, pos);
        Assert.Equal(new long[] { 0 }, deltas);
    }

    [Fact]
    public void MismatchedImageTokensAreReported()
    {
        var e = Assert.Throws<ArgumentException>(() => RopeIndex.Compute([9, 9, 5, 5], null, [1, 4, 4], 1, 4, 9, 10, 2));
        Assert.Contains("needs 4 consecutive <|image_pad|> tokens", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => RopeIndex.Compute([5, 5, 5, 5], null, [1, 2, 2], 1, 4, 9, 10, 2));
        Assert.Contains("image_grid_thw has 1 rows", e2.Message);
    }
}
