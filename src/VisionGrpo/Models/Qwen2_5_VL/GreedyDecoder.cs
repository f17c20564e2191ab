using TorchSharp;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>Result of <see cref="GreedyDecoder.Generate"/>.</summary>
public sealed class GreedyResult
{
    /// <summary>New token ids <c>[B, N]</c> int64 (finished rows continue with the pad id).</summary>
    public required Tensor GeneratedIds { get; init; }
    /// <summary>Raw float32 logits of each step <c>[B, N, vocab]</c> (step 0 = last prompt position).</summary>
    public required Tensor StepLogits { get; init; }
    /// <summary>Prefill output (positions, rope deltas, image embeddings, prompt logits when requested).</summary>
    public required QwenVLOutput Prefill { get; init; }
}

/// <summary>
/// Plain greedy decoding with the KV cache (HF <c>generate</c> with <c>do_sample=False</c> and no processors): a
/// parity and smoke-test tool; sampling with penalties belongs to Generation/.
/// </summary>
public static class GreedyDecoder
{
    /// <summary>
    /// Prefills <paramref name="prompt"/> and decodes <paramref name="maxNewTokens"/> tokens. Rows stop at any of
    /// <paramref name="eosTokenIds"/> and are then filled with <paramref name="padTokenId"/>.
    /// <paramref name="promptLogits"/> asks the prefill for logits at every prompt position.
    /// </summary>
    public static GreedyResult Generate(QwenVLForConditionalGeneration model, QwenVLInputs prompt, int maxNewTokens,
        IReadOnlyCollection<int> eosTokenIds, int padTokenId, bool promptLogits = false)
    {
        if (maxNewTokens <= 0) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), "maxNewTokens must be positive.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = prompt.InputIds;
        int batch = (int)ids.shape[0], length = (int)ids.shape[1];
        using var cache = KvCache.For(model.Config.Text, batch, length + maxNewTokens, model.DType, ids.device);
        var prefill = model.forward(new QwenVLInputs
        {
            InputIds = ids,
            AttentionMask = prompt.AttentionMask,
            PixelValues = prompt.PixelValues,
            ImageGridThw = prompt.ImageGridThw,
            ImageEmbeds = prompt.ImageEmbeds,
            Cache = cache,
            LogitsToKeep = promptLogits ? LogitsToKeep.All : LogitsToKeep.LastN(1),
        });
        var logits = prefill.Logits.narrow(1, prefill.Logits.shape[1] - 1, 1).to(ScalarType.Float32);
        var finished = torch.zeros(batch, dtype: ScalarType.Bool, device: ids.device);
        var eos = torch.tensor(eosTokenIds.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64, device: ids.device);
        var tokens = new List<Tensor>(maxNewTokens);
        var steps = new List<Tensor>(maxNewTokens);
        for (int step = 0; step < maxNewTokens; step++)
        {
            steps.Add(logits);
            var next = logits[.., -1, ..].argmax(-1);
            next = torch.where(finished, torch.full_like(next, padTokenId), next);
            tokens.Add(next);
            if (eos.numel() > 0) finished = finished.logical_or(torch.isin(next, eos));
            if (step == maxNewTokens - 1 || finished.all().item<bool>()) break;
            var output = model.forward(new QwenVLInputs { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
            logits = output.Logits.to(ScalarType.Float32);
        }
        // Rows that all finished early: pad the remaining steps like HF does for finished rows.
        while (tokens.Count < maxNewTokens) tokens.Add(torch.full(batch, padTokenId, dtype: ScalarType.Int64, device: ids.device));
        return new GreedyResult
        {
            GeneratedIds = torch.stack(tokens, 1).MoveToOuterDisposeScope(),
            StepLogits = torch.cat(steps, 1).MoveToOuterDisposeScope(),
            Prefill = prefill.MoveToOuterDisposeScope(),
        };
    }
}
