using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Advantages;

/// <summary>Tensor forms of TRL's completion-mask rules for the trainer.</summary>
internal static class CompletionMasks
{
    /// <summary>
    /// Mask [B, C] (int32) that keeps every position up to and including the first EOS of each row (all positions of
    /// a row without EOS), as TRL builds it from the generated ids.
    /// </summary>
    public static Tensor UpToFirstEos(Tensor completionIds, long eosTokenId)
    {
        using var scope = torch.NewDisposeScope();
        var isEos = completionIds.eq(eosTokenId);
        long width = completionIds.shape[1];
        var hasEos = isEos.any(1);
        var firstEos = torch.where(hasEos, isEos.to(ScalarType.Int32).argmax(1), torch.full_like(hasEos, width, dtype: ScalarType.Int64));
        var positions = torch.arange(width, device: completionIds.device).unsqueeze(0);
        return (positions <= firstEos.unsqueeze(1)).to(ScalarType.Int32).MoveToOuterDisposeScope();
    }

    /// <summary>Rows whose completion ended without EOS (TRL 0.20's truncation test: no EOS anywhere).</summary>
    public static Tensor Truncated(Tensor completionIds, long eosTokenId) => completionIds.eq(eosTokenId).any(1).logical_not();

    /// <summary><c>mask_truncated_completions</c>: zeroes the mask rows of truncated completions.</summary>
    public static Tensor MaskTruncated(Tensor mask, Tensor isTruncated) =>
        mask * isTruncated.logical_not().unsqueeze(1).to(mask.dtype);
}
