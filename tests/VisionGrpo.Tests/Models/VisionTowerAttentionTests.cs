using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

/// <summary>Segment attention against a straightforward per-segment softmax(q·kᵀ/√d)·v.</summary>
public class VisionTowerAttentionTests
{
    static Tensor Reference(Tensor q, Tensor k, Tensor v, int[] cu)
    {
        var outputs = new List<Tensor>();
        for (int i = 0; i + 1 < cu.Length; i++)
        {
            int a = cu[i], n = cu[i + 1] - cu[i];
            var qs = q.narrow(0, a, n).transpose(0, 1);
            var ks = k.narrow(0, a, n).transpose(0, 1);
            var vs = v.narrow(0, a, n).transpose(0, 1);
            var p = (qs.bmm(ks.transpose(1, 2)) / Math.Sqrt(q.shape[2])).softmax(-1);
            outputs.Add(p.bmm(vs).transpose(0, 1).reshape(n, -1));
        }
        return cat(outputs, 0);
    }

    [Theory]
    [InlineData(new[] { 0, 16, 32, 48 })]             // equal windows: one batched call
    [InlineData(new[] { 0, 16, 20, 36, 44, 45, 61 })] // mixed lengths, interleaved
    [InlineData(new[] { 0, 61 })]                     // one full-attention segment
    public void MatchesPerSegmentSoftmaxAttention(int[] cu)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        manual_seed(7);
        int s = cu[^1];
        var q = randn(s, 3, 8);
        var k = randn(s, 3, 8);
        var v = randn(s, 3, 8);
        var got = SegmentAttention.Attend(q, k, v, cu);
        Assert.Equal(new long[] { s, 24 }, got.shape);
        Assert.True((got - Reference(q, k, v, cu)).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void BoundariesMustCoverTheSequence()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = zeros(10, 2, 4);
        Assert.Throws<ArgumentException>(() => SegmentAttention.Attend(x, x, x, [0, 8]));
        Assert.Throws<ArgumentException>(() => SegmentAttention.Attend(x, x, x, [0, 6, 4, 10]));
    }
}
