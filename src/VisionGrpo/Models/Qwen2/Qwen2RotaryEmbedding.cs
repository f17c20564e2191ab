using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Rotary tables for the Qwen2 decoder, with the Qwen2.5-VL M-RoPE section split. Positions come as
/// <c>[3, B, L]</c> (temporal, height, width); text-only Qwen2 passes three equal rows, which is plain RoPE.
/// </summary>
public sealed class Qwen2RotaryEmbedding : IDisposable
{
    readonly Tensor _invFreq;
    readonly int[]? _section;
    readonly int _half;

    /// <summary>Builds <c>inv_freq</c> in float32 with HF's operation order (int64 arange → float32 → /dim → pow → 1/x).</summary>
    public Qwen2RotaryEmbedding(Qwen2TextConfig config, Device? device = null)
    {
        int dim = config.HeadDim;
        _half = dim / 2;
        _section = config.MropeSection;
        using var scope = torch.NewDisposeScope();
        var exponent = torch.arange(0, dim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / (float)dim;
        _invFreq = torch.pow(config.RopeTheta, exponent).reciprocal().MoveToOuterDisposeScope().DetachFromDisposeScope();
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
        if (_section is null) selected = freqs[0];
        else
        {
            // Frequency k takes component t for k < s0, h for k < s0+s1, w otherwise.
            var parts = new List<Tensor>(3);
            long start = 0;
            for (int c = 0; c < 3; c++)
            {
                parts.Add(freqs[c].narrow(-1, start, _section[c]));
                start += _section[c];
            }
            selected = torch.cat(parts, -1);
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
