using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Rotary tables for the Qwen2 decoder, with the M-RoPE split of Qwen2.5-VL (blocks) or Qwen3-VL (interleaved). Positions come as
/// <c>[3, B, L]</c> (temporal, height, width); text-only Qwen2 passes three equal rows, which is plain RoPE.
/// </summary>
public sealed class Qwen2RotaryEmbedding : IDisposable
{
    readonly Tensor _invFreq;
    // Per rotary frequency, which position row turns it: 0 = temporal, 1 = height, 2 = width (null: all temporal).
    readonly long[]? _component;
    readonly int _half;

    /// <summary>Builds <c>inv_freq</c> in float32 with HF's operation order (int64 arange → float32 → /dim → pow → 1/x).</summary>
    public Qwen2RotaryEmbedding(Qwen2TextConfig config, Device? device = null)
    {
        int dim = config.HeadDim;
        _half = dim / 2;
        _component = config.MropeSection is { } section ? Components(section, _half, config.MropeInterleaved) : null;
        using var scope = torch.NewDisposeScope();
        var exponent = torch.arange(0, dim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / (float)dim;
        _invFreq = torch.pow(config.RopeTheta, exponent).reciprocal().MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>
    /// The position row (0 = t, 1 = h, 2 = w) of each of the <paramref name="half"/> frequencies. Qwen2.5-VL splits
    /// them into consecutive blocks of <c>section</c> sizes; Qwen3-VL interleaves them (<c>apply_interleaved_mrope</c>):
    /// j takes h when <c>j % 3 == 1</c> and <c>j &lt; 3·section[1]</c>, w when <c>j % 3 == 2</c> and
    /// <c>j &lt; 3·section[2]</c>, else t.
    /// </summary>
    internal static long[] Components(IReadOnlyList<int> section, int half, bool interleaved)
    {
        var component = new long[half];
        for (int j = 0; j < half; j++)
            component[j] = interleaved
                ? (j % 3 == 1 && j < 3 * section[1] ? 1 : j % 3 == 2 && j < 3 * section[2] ? 2 : 0)
                : (j < section[0] ? 0 : j < section[0] + section[1] ? 1 : 2);
        return component;
    }

    /// <summary>
    /// <c>(cos, sin)</c> of shape <c>[B, L, head_dim]</c>, computed in float32 and cast to <paramref name="dtype"/>
    /// (the rotation itself runs in the activation dtype, as in HF).
    /// </summary>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positionIds, ScalarType dtype)
    {
        if (positionIds.dim() != 3 || positionIds.shape[0] != 3)
            throw new ArgumentException($"position ids must be [3, B, L], got [{string.Join(", ", positionIds.shape)}].");
        using var scope = torch.NewDisposeScope();
        var invFreq = _invFreq.device == positionIds.device ? _invFreq : _invFreq.to(positionIds.device);
        // [3, B, L, half]: one product per element, bit-equal to HF's K=1 matmul.
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq;
        Tensor selected;
        if (_component is null) selected = freqs[0];
        else
        {
            // Pick, per frequency, the angle of its position row: a gather over the leading (t, h, w) axis.
            long b = freqs.shape[1], l = freqs.shape[2];
            var index = torch.tensor(_component, device: positionIds.device).view(1, 1, 1, _half).expand(1, b, l, _half);
            selected = freqs.gather(0, index).squeeze(0);
        }
        var emb = torch.cat([selected, selected], -1);
        var cos = emb.cos().to(dtype);
        var sin = emb.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary><c>x·cos + rotate_half(x)·sin</c> for <c>x</c> of shape <c>[B, heads, L, D]</c> and tables <c>[B, L, D]</c>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        long half = x.shape[^1] / 2;
        var rotated = torch.cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos.unsqueeze(1) + rotated * sin.unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the frequency table.</summary>
    public void Dispose() => _invFreq.Dispose();
}
