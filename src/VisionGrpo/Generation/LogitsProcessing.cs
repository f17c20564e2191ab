using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// transformers' logits processors for one decode step, in <c>generate</c>'s order: repetition penalty, token
/// suppression, then (sampling only) temperature, top-k, top-p, min-p. Removed tokens get −∞.
/// </summary>
internal static class LogitsProcessing
{
    /// <summary>
    /// Processes float32 logits <c>[n, V]</c>. <paramref name="seen"/> (<c>[n, V]</c> bool) marks ids already in
    /// each row (prompt padding included, as HF's penalty sees <c>input_ids</c>); <paramref name="suppress"/>
    /// (<c>[V]</c> bool) marks ids that may never be produced.
    /// </summary>
    public static Tensor Apply(Tensor logits, Tensor? seen, Tensor? suppress, ResolvedGeneration o)
    {
        using var scope = torch.NewDisposeScope();
        var l = logits;
        if (o.RepetitionPenalty != 1.0 && seen is not null)
        {
            var penalized = torch.where(l < 0, l * o.RepetitionPenalty, l / o.RepetitionPenalty);
            l = torch.where(seen, penalized, l);
        }
        if (suppress is not null) l = l.masked_fill(suppress.unsqueeze(0), float.NegativeInfinity);
        if (o.DoSample)
        {
            l = Scale(l, o.Temperature);
            if (o.TopK > 0) l = TopK(l, o.TopK);
            if (o.TopP < 1.0) l = TopP(l, o.TopP);
            if (o.MinP > 0) l = MinP(l, o.MinP);
        }
        return l.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// logits / T; at T = 1 the logits themselves (the division would copy a vocabulary-wide tensor, and in training
    /// back-propagate through it, for an identical result).
    /// </summary>
    public static Tensor Scale(Tensor logits, double temperature) => temperature == 1.0 ? logits : logits / temperature;

    /// <summary>Keeps the <paramref name="k"/> largest logits per row (ties with the k-th are kept, as in HF).</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        k = (int)Math.Min(k, logits.shape[^1]);
        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);
        return logits.masked_fill(logits < kth, float.NegativeInfinity);
    }

    /// <summary>
    /// Nucleus filtering: sorts ascending, drops tokens whose cumulative probability is ≤ 1 − p; the best token always
    /// survives.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        var (sorted, order) = logits.sort(dim: -1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        var remove = cumulative <= (1 - p);
        remove.narrow(-1, remove.shape[^1] - 1, 1).fill_(false);
        var removeOriginal = torch.zeros_like(remove).scatter(-1, order, remove);
        return logits.masked_fill(removeOriginal, float.NegativeInfinity);
    }

    /// <summary>Drops tokens whose probability is below <paramref name="minP"/> × the best token's.</summary>
    public static Tensor MinP(Tensor logits, double minP)
    {
        var probs = logits.softmax(-1);
        var threshold = probs.amax([-1], keepdim: true) * minP;
        return logits.masked_fill(probs < threshold, float.NegativeInfinity);
    }
}
