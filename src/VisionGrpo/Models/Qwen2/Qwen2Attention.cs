using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors;
using VisionGrpo.Tensors.OneRow;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Grouped-query self-attention of the Qwen2 decoder: biased q/k/v projections, (M-)RoPE on q and k, KV heads
/// repeated to the query heads (TorchSharp's SDPA has no <c>enable_gqa</c>), unbiased <c>o_proj</c>. The same module
/// is Qwen3's attention when the config says so: no q/k/v bias and a per-head RMSNorm (<c>q_norm</c>, <c>k_norm</c>)
/// on queries and keys before RoPE.
/// </summary>
public sealed class Qwen2Attention : nn.Module
{
    /// <summary>Query projection.</summary>
    public readonly Linear q_proj;
    /// <summary>Key projection.</summary>
    public readonly Linear k_proj;
    /// <summary>Value projection.</summary>
    public readonly Linear v_proj;
    /// <summary>Output projection (no bias).</summary>
    public readonly Linear o_proj;
    /// <summary>Qwen3: RMSNorm over head_dim applied to every query head (null for Qwen2).</summary>
    public readonly Qwen2RMSNorm? q_norm;
    /// <summary>Qwen3: RMSNorm over head_dim applied to every key head (null for Qwen2).</summary>
    public readonly Qwen2RMSNorm? k_norm;
    readonly int _heads, _kvHeads, _headDim, _layer;

    /// <summary>Creates the projections of layer <paramref name="layerIndex"/>.</summary>
    public Qwen2Attention(Qwen2TextConfig config, int layerIndex, ScalarType dtype, Device? device) : base(nameof(Qwen2Attention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _layer = layerIndex;
        q_proj = nn.Linear(config.HiddenSize, config.QueryWidth, hasBias: config.QkvBias, device: device, dtype: dtype);
        k_proj = nn.Linear(config.HiddenSize, config.KeyValueWidth, hasBias: config.QkvBias, device: device, dtype: dtype);
        v_proj = nn.Linear(config.HiddenSize, config.KeyValueWidth, hasBias: config.QkvBias, device: device, dtype: dtype);
        o_proj = nn.Linear(config.QueryWidth, config.HiddenSize, hasBias: config.OutputBias, device: device, dtype: dtype);
        if (config.QkNorm)
        {
            q_norm = new Qwen2RMSNorm(_headDim, config.RmsNormEps, dtype, device);
            k_norm = new Qwen2RMSNorm(_headDim, config.RmsNormEps, dtype, device);
        }
        RegisterComponents();
    }

    /// <summary>Attention over <c>[B, L, hidden]</c>; appends to the cache when one is given.</summary>
    public Tensor forward(Tensor x, DecoderInputs inputs)
    {
        using var scope = torch.NewDisposeScope();
        // One call for the three projections: at batch-1 decode they share one row-split GEMV.
        var qkv = RowSplitProduct.CallAll(x, q_proj, k_proj, v_proj);
        // Batch-1 decode with SDPA: norms, RoPE, the cache write and the attention as one managed kernel.
        var output = OneRowKernels.Applies(x, qkv[0], qkv[1], qkv[2], inputs.Cos, inputs.Sin, q_norm?.weight, k_norm?.weight)
            && inputs.Implementation == AttentionImplementation.Sdpa
            && inputs.Cache?.OneRowLayer(_layer, x.dtype, Layout) is { } cached
            ? DecodeAttention.Run(Layout, qkv[0], qkv[1], qkv[2], inputs.Cos, inputs.Sin, q_norm?.weight, k_norm?.weight,
                q_norm?.Eps ?? 0, cached, inputs.Allowed)
            : Attend(qkv, x.shape[0], x.shape[1], inputs);
        return RowSplitProduct.Call(o_proj, output).MoveToOuterDisposeScope();
    }

    HeadLayout Layout => new(_heads, _kvHeads, _headDim);

    /// <summary>The general path from the projections to <c>o_proj</c>'s input <c>[B, L, heads·head_dim]</c>.</summary>
    Tensor Attend(Tensor[] qkv, long b, long l, DecoderInputs inputs)
    {
        var q = qkv[0].view(b, l, _heads, _headDim);
        var k = qkv[1].view(b, l, _kvHeads, _headDim);
        if (q_norm is not null) q = q_norm.forward(q);
        if (k_norm is not null) k = k_norm.forward(k);
        q = q.transpose(1, 2);
        k = k.transpose(1, 2);
        var v = qkv[2].view(b, l, _kvHeads, _headDim).transpose(1, 2);
        q = Qwen2RotaryEmbedding.Apply(q, inputs.Cos, inputs.Sin);
        k = Qwen2RotaryEmbedding.Apply(k, inputs.Cos, inputs.Sin);
        if (inputs.Cache is not null) (k, v) = inputs.Cache.Update(_layer, k, v);
        Tensor output;
        if (l == 1 && inputs.Implementation == AttentionImplementation.Sdpa && inputs.Allowed is not null && _heads != _kvHeads)
        {
            // One query per row (decode): the query heads of each KV head become its query rows, so the cached keys
            // and values are used as they are instead of being copied once per query head (RepeatKv). The mask is
            // per key ([B, 1, 1, K]) and broadcasts over those rows.
            var grouped = q.reshape(b, _kvHeads, _heads / _kvHeads, _headDim);
            output = nn.functional.scaled_dot_product_attention(grouped, k, v, attn_mask: inputs.Allowed).reshape(b, _heads, 1, _headDim);
        }
        else
        {
            k = RepeatKv(k, _heads / _kvHeads);
            v = RepeatKv(v, _heads / _kvHeads);
            output = inputs.Implementation == AttentionImplementation.Sdpa
                ? nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: inputs.Allowed, is_casual: inputs.Allowed is null && inputs.IsCausal)
                : Eager(q, k, v, inputs.Allowed);
        }
        return output.transpose(1, 2).reshape(b, l, _heads * _headDim);
    }

    /// <summary>HF eager: scores scaled after the product, masked to the dtype minimum, softmax in float32.</summary>
    Tensor Eager(Tensor q, Tensor k, Tensor v, Tensor? allowed)
    {
        var scores = torch.einsum("bhqd,bhkd->bhqk", q, k) * Math.Pow(_headDim, -0.5);
        if (allowed is null)
        {
            long lq = q.shape[2], lk = k.shape[2];
            allowed = torch.ones(lq, lk, dtype: ScalarType.Bool, device: q.device).tril(lk - lq);
        }
        double min = scores.dtype switch
        {
            ScalarType.BFloat16 => -3.3895313892515355e38,
            ScalarType.Float16 => -65504.0,
            ScalarType.Float64 => double.MinValue,
            _ => float.MinValue,
        };
        scores = scores.masked_fill(allowed.logical_not(), min);
        var probs = torch.nn.functional.softmax(scores, -1, ScalarType.Float32).to(q.dtype);
        return torch.einsum("bhqk,bhkd->bhqd", probs, v);
    }

    /// <summary>KV head j serves query heads <c>j·n … j·n+n−1</c>: repeat each KV head n times consecutively.</summary>
    internal static Tensor RepeatKv(Tensor x, int n)
    {
        if (n == 1) return x;
        long b = x.shape[0], h = x.shape[1], l = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, h, n, l, d).reshape(b, h * n, l, d);
    }
}
