namespace VisionGrpo.Generation;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>It produced one of the EOS ids (kept as its last token).</summary>
    Eos,
    /// <summary>It reached <c>max_new_tokens</c>.</summary>
    Length,
}

/// <summary>One generated completion.</summary>
public sealed record GeneratedSequence
{
    /// <summary>Index of the prompt in the request.</summary>
    public required int PromptIndex { get; init; }
    /// <summary>Which of the prompt's generations this is (0 … G−1).</summary>
    public required int SampleIndex { get; init; }
    /// <summary>Completion ids, EOS included when it stopped on one, no padding.</summary>
    public required int[] CompletionIds { get; init; }
    /// <summary>Completion text with special tokens skipped (empty when no tokenizer was given).</summary>
    public required string Text { get; init; }
    /// <summary>Why it stopped.</summary>
    public required FinishReason FinishReason { get; init; }
    /// <summary>Log-probability of each completion token when requested (<see cref="GenerationOptions.ReturnLogProbs"/>), else null.</summary>
    public float[]? TokenLogProbs { get; init; }
    /// <summary>Number of generated tokens (= <see cref="CompletionIds"/> length).</summary>
    public int GeneratedTokens => CompletionIds.Length;
    /// <summary>Seconds of the prefill (vision tower included) of the batch this sequence was decoded in.</summary>
    public required double PrefillSeconds { get; init; }
    /// <summary>Seconds of the decode loop of that batch.</summary>
    public required double DecodeSeconds { get; init; }
}

/// <summary>All completions of a request, prompt-major (prompt i, sample g at <c>i·G + g</c>, like TRL's rows).</summary>
public sealed record GenerationOutput(IReadOnlyList<GeneratedSequence> Sequences, double PrefillSeconds, double DecodeSeconds)
{
    /// <summary>Tokens generated over all sequences.</summary>
    public long GeneratedTokens => Sequences.Sum(s => (long)s.GeneratedTokens);
    /// <summary>Generated tokens per decode second (prefill excluded).</summary>
    public double DecodeTokensPerSecond => DecodeSeconds > 0 ? GeneratedTokens / DecodeSeconds : 0;
}
