using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>Which attention kernel the decoder uses.</summary>
public enum AttentionImplementation
{
    /// <summary><c>scaled_dot_product_attention</c> (fused; default).</summary>
    Sdpa,
    /// <summary>Explicit <c>softmax(q·kᵀ·scale + mask)·v</c> with float32 softmax, as HF's eager path.</summary>
    Eager,
}

/// <summary>
/// Everything a decoder layer needs besides its hidden states: rotary tables, the attention mask (built on cache
/// indices, never on M-RoPE positions) and the KV cache. Shared by all layers of one forward pass.
/// </summary>
public sealed class DecoderInputs
{
    /// <summary>Rotary cosines <c>[B, L, head_dim]</c> in the activation dtype.</summary>
    public required Tensor Cos { get; init; }
    /// <summary>Rotary sines <c>[B, L, head_dim]</c> in the activation dtype.</summary>
    public required Tensor Sin { get; init; }
    /// <summary><c>[B, 1, L, K]</c> bool, true = may attend; null when <see cref="IsCausal"/> suffices.</summary>
    public Tensor? Allowed { get; init; }
    /// <summary>Plain causal attention over the new tokens only (no padding, no cached keys).</summary>
    public bool IsCausal { get; init; }
    /// <summary>Cache to read and append keys/values (null: attend within this call).</summary>
    public KvCache? Cache { get; init; }
    /// <summary>Kernel choice.</summary>
    public AttentionImplementation Implementation { get; init; }

    /// <summary>
    /// Builds the mask for <paramref name="queryLength"/> new tokens written at cache slot <paramref name="start"/>:
    /// key j is visible to query i when <c>j ≤ start + i</c> and <paramref name="keyMask"/>[b, j] is set.
    /// </summary>
    internal static Tensor? BuildAllowed(Tensor? keyMask, int start, int queryLength, bool needExplicit, Device device)
    {
        bool padded = keyMask is not null && !keyMask.all().item<bool>();
        if (!padded && start == 0 && !needExplicit) return null;
        using var scope = torch.NewDisposeScope();
        long keys = keyMask?.shape[1] ?? start + queryLength;
        var q = torch.arange(start, start + queryLength, dtype: ScalarType.Int64, device: device).unsqueeze(1);
        var k = torch.arange(keys, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var allowed = k.le(q).unsqueeze(0).unsqueeze(0);
        if (keyMask is not null) allowed = allowed.logical_and(keyMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1));
        return allowed.MoveToOuterDisposeScope();
    }
}
