namespace VisionGrpo.Generation;

/// <summary>
/// What a caller asks of <see cref="GenerationEngine"/>: the <see cref="SamplingSettings"/> (HF <c>generate</c> argument
/// names) plus how to run. Null sampling fields take the checkpoint's <c>generation_config.json</c> value, then the
/// transformers default; a null <see cref="SamplingSettings.EosTokenIds"/> means the file's list plus the tokenizer's
/// EOS, a null <see cref="SamplingSettings.PadTokenId"/> the file's, the tokenizer's, then the first EOS — unless
/// <see cref="TrlMode"/> is set, which ignores the file (see <see cref="Resolve"/>).
/// </summary>
public sealed record GenerationOptions : SamplingSettings
{
    /// <summary>Default <c>max_new_tokens</c> when neither the caller nor the file sets one.</summary>
    public const int DefaultMaxNewTokens = 256;

    /// <summary>Seed of the sampling streams (<see cref="CounterRandom"/>; null: a random seed).</summary>
    public long? Seed { get; init; }
    /// <summary>Most sequences decoded at once (prompts × generations); larger requests are split. 0 = no limit.</summary>
    public int GenerationBatchSize { get; init; }
    /// <summary>
    /// Behave like TRL's GRPOTrainer: sampling on, exactly the configured parameters with neutral defaults
    /// (temperature 1, top-k off, top-p 1, min-p off, penalty 1), the tokenizer's EOS only; the checkpoint's
    /// <c>generation_config.json</c> is ignored so its near-greedy Qwen defaults cannot leak into rollouts.
    /// </summary>
    public bool TrlMode { get; init; }
    /// <summary>
    /// Also return each generated token's log-probability: log-softmax of the model's logits divided by the sampling
    /// temperature (no top-k/top-p/penalty), i.e. the quantity TRL's scoring pass computes.
    /// </summary>
    public bool ReturnLogProbs { get; init; }

    /// <summary>
    /// Merges these options with <paramref name="file"/> (ignored in <see cref="TrlMode"/>) and the tokenizer's
    /// special ids into concrete settings; explicit options always win.
    /// </summary>
    public ResolvedGeneration Resolve(GenerationConfigFile? file, int? tokenizerEos = null, int? tokenizerPad = null)
    {
        var f = TrlMode || file is null ? new GenerationConfigFile() : file;
        int[] tokenizer = tokenizerEos is int t ? [t] : [];
        // TRL passes only the tokenizer's EOS; transformers' generate stops on the file's list and the tokenizer's.
        var eos = EosTokenIds?.ToArray()
            ?? (TrlMode && tokenizer.Length > 0 ? tokenizer : (f.EosTokenIds ?? []).Concat(tokenizer).Concat(file?.EosTokenIds ?? []).Distinct().ToArray());
        double temperature = Temperature ?? f.Temperature ?? 1.0;
        bool sample = (DoSample ?? (TrlMode || (f.DoSample ?? false))) && temperature != 0;
        var resolved = new ResolvedGeneration
        {
            MaxNewTokens = MaxNewTokens ?? f.MaxNewTokens ?? DefaultMaxNewTokens,
            DoSample = sample,
            Temperature = temperature == 0 ? 1.0 : temperature,
            TopK = TopK ?? f.TopK ?? (TrlMode ? 0 : 50),
            TopP = TopP ?? f.TopP ?? 1.0,
            MinP = MinP ?? f.MinP ?? 0.0,
            RepetitionPenalty = RepetitionPenalty ?? f.RepetitionPenalty ?? 1.0,
            Seed = Seed,
            EosTokenIds = eos,
            PadTokenId = PadTokenId ?? f.PadTokenId ?? tokenizerPad ?? (eos.Length > 0 ? eos[0] : 0),
            GenerationBatchSize = GenerationBatchSize,
            ReturnLogProbs = ReturnLogProbs,
        };
        resolved.Validate();
        return resolved;
    }
}

/// <summary>
/// Concrete generation settings after <see cref="GenerationOptions.Resolve"/>: every <see cref="SamplingSettings"/> key
/// with its default filled in (non-null, so the decoding loop never re-checks "unset"), plus how to run.
/// </summary>
public sealed record ResolvedGeneration
{
    /// <summary>Tokens to generate at most per sequence.</summary>
    public required int MaxNewTokens { get; init; }
    /// <summary>Sample (true) or take the argmax (false).</summary>
    public required bool DoSample { get; init; }
    /// <summary>Logit divisor (sampling only).</summary>
    public required double Temperature { get; init; }
    /// <summary>Keep the k best logits (sampling only; 0 = off).</summary>
    public required int TopK { get; init; }
    /// <summary>Nucleus mass (sampling only; 1 = off).</summary>
    public required double TopP { get; init; }
    /// <summary>Minimum probability relative to the best token (sampling only; 0 = off).</summary>
    public required double MinP { get; init; }
    /// <summary>CTRL repetition penalty over prompt and generated ids (1 = off; also applies when greedy).</summary>
    public required double RepetitionPenalty { get; init; }
    /// <summary>Sampling seed (null = random).</summary>
    public long? Seed { get; init; }
    /// <summary>
    /// Global index of the first sequence this request generates (sequence k of the request draws from stream
    /// <c>FirstSequenceIndex + k</c>, see <see cref="TokenSampler"/>): a process generating part of a larger batch
    /// sets it to where its part starts, and samples what one process generating the whole batch would.
    /// </summary>
    public long FirstSequenceIndex { get; init; }
    /// <summary>Ids that end a sequence (kept in the completion).</summary>
    public required int[] EosTokenIds { get; init; }
    /// <summary>Id that fills finished rows.</summary>
    public required int PadTokenId { get; init; }
    /// <summary>Most sequences decoded at once (0 = no limit).</summary>
    public int GenerationBatchSize { get; init; }
    /// <summary>Return per-token log-probabilities (see <see cref="GenerationOptions.ReturnLogProbs"/>).</summary>
    public bool ReturnLogProbs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxNewTokens <= 0) throw new ArgumentException($"max_new_tokens must be positive, got {MaxNewTokens}.");
        if (Temperature <= 0 || double.IsNaN(Temperature)) throw new ArgumentException($"temperature must be ≥ 0, got {Temperature}.");
        if (TopK < 0) throw new ArgumentException($"top_k must be ≥ 0, got {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top_p must be in (0, 1], got {TopP}.");
        if (!(MinP >= 0 && MinP <= 1)) throw new ArgumentException($"min_p must be in [0, 1], got {MinP}.");
        if (!(RepetitionPenalty > 0)) throw new ArgumentException($"repetition_penalty must be positive, got {RepetitionPenalty}.");
        if (GenerationBatchSize < 0) throw new ArgumentException($"generation_batch_size must be ≥ 0, got {GenerationBatchSize}.");
    }
}
