namespace VisionGrpo.Generation;

/// <summary>
/// The sampling keys of HF's <c>GenerationConfig</c>, declared once for both places that may leave them unset: the
/// checkpoint's <c>generation_config.json</c> (<see cref="GenerationConfigFile"/>) and the caller's request
/// (<see cref="GenerationOptions"/>). Null means "not set here", so <see cref="GenerationOptions.Resolve"/> can take
/// the file's value, then the caller's override, as transformers' <c>generate</c> does.
/// </summary>
public record SamplingSettings
{
    /// <summary><c>max_new_tokens</c>.</summary>
    public int? MaxNewTokens { get; init; }
    /// <summary><c>do_sample</c>: false = greedy (only repetition penalty and token masking apply).</summary>
    public bool? DoSample { get; init; }
    /// <summary><c>temperature</c>; 0 means greedy.</summary>
    public double? Temperature { get; init; }
    /// <summary><c>top_k</c>; 0 disables.</summary>
    public int? TopK { get; init; }
    /// <summary><c>top_p</c>; 1 disables.</summary>
    public double? TopP { get; init; }
    /// <summary><c>min_p</c>; 0 disables.</summary>
    public double? MinP { get; init; }
    /// <summary><c>repetition_penalty</c>; 1 disables.</summary>
    public double? RepetitionPenalty { get; init; }
    /// <summary><c>eos_token_id</c>: stop ids (an int or a list in the file).</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }
    /// <summary><c>pad_token_id</c>: id written after a row finished.</summary>
    public int? PadTokenId { get; init; }
}
