using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Text;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// Batched generation for Qwen2.5-VL (transformers <c>generate</c> semantics): left-padded prompts are prefilled once
/// (vision tower once per request), each prompt's KV cache is replicated for its G samples, then decoding runs with
/// the cache; rows stop on any EOS id or at <c>max_new_tokens</c> and finished rows are dropped from the batch.
/// </summary>
public sealed class GenerationEngine
{
    /// <summary>Vision structure tokens a completion may never contain (upstream scoring passes crash on them).</summary>
    public static readonly string[] VisionTokens = ["<|image_pad|>", "<|video_pad|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>"];

    readonly QwenVLForConditionalGeneration _model;
    readonly HfTokenizer? _tokenizer;

    /// <summary>An engine over <paramref name="model"/>; <paramref name="tokenizer"/> (optional) decodes the text.</summary>
    public GenerationEngine(QwenVLForConditionalGeneration model, HfTokenizer? tokenizer = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        SuppressedTokenIds = VisionTokenIds(model.Config, tokenizer);
    }

    /// <summary>Ids masked to −∞ at every step (the vision tokens, from the config and the tokenizer).</summary>
    public IReadOnlyList<int> SuppressedTokenIds { get; }

    static int[] VisionTokenIds(QwenVLConfig config, HfTokenizer? tokenizer)
    {
        var ids = new List<int> { config.ImageTokenId, config.VideoTokenId, config.VisionStartTokenId, config.VisionEndTokenId };
        using (var doc = JsonDocument.Parse(config.RawJson))
            if (ConfigJson.OptionalInt("config.json", "vision_token_id", (JsonElement?)doc.RootElement) is int pad) ids.Add(pad);
        if (tokenizer is not null)
            ids.AddRange(VisionTokens.Select(tokenizer.TokenToId).OfType<int>());
        return ids.Where(i => i >= 0 && i < config.Text.VocabSize).Distinct().Order().ToArray();
    }

    /// <summary>
    /// Generates <paramref name="numGenerations"/> completions per prompt row of <paramref name="prompts"/>
    /// (left-padded <c>input_ids</c>/<c>attention_mask</c>, optional <c>pixel_values</c>/<c>image_grid_thw</c> or
    /// precomputed image embeddings). <paramref name="onToken"/> receives (sequence index, token id) as tokens appear.
    /// </summary>
    /// <param name="prompts">The prompt rows.</param>
    /// <param name="options">Sampling options; sequence k of the request draws from stream <c>FirstSequenceIndex + k</c>.</param>
    /// <param name="numGenerations">G: samples per prompt.</param>
    /// <param name="onToken">Receives (sequence index in the request, token id).</param>
    /// <param name="firstSample">
    /// Sample index of the first prompt's first sequence: the request is the contiguous slice
    /// [<paramref name="firstSample"/>, <paramref name="firstSample"/> + <paramref name="sampleCount"/>) of the prompts'
    /// prompt-major grid of G samples each, so a process that holds part of a group (a data-parallel rank) generates
    /// just its samples, still with one prefill per prompt (keyed by the prompt's sample 0, wherever that is generated).
    /// </param>
    /// <param name="sampleCount">Sequences in all (default: the rest of the grid); the last prompt gets at least one.</param>
    public GenerationOutput Generate(QwenVLInputs prompts, ResolvedGeneration options, int numGenerations = 1,
        Action<int, int>? onToken = null, int firstSample = 0, int? sampleCount = null)
    {
        if (numGenerations <= 0) throw new ArgumentOutOfRangeException(nameof(numGenerations), $"num_generations must be positive, got {numGenerations}.");
        options.Validate();
        var ids = prompts.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"input_ids must be [B, L], got [{string.Join(", ", ids.shape)}].");
        var samples = SampleGrid.Of((int)ids.shape[0], numGenerations, firstSample, sampleCount, options.FirstSequenceIndex);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var sampler = new TokenSampler(options);
        int batch = (int)ids.shape[0];
        var mask = prompts.AttentionMask ?? torch.ones_like(ids);
        var watch = Stopwatch.StartNew();
        // LoRA dropout in the vision tower (train mode): each prompt's images keyed like its prefill, by its sample 0.
        var images = PromptImages.Prepare(_model, prompts, p => sampler.StreamKey(0, samples.Stream(p, 0)));
        double visionSeconds = watch.Elapsed.TotalSeconds;
        int chunk = options.GenerationBatchSize > 0 ? Math.Max(1, options.GenerationBatchSize / numGenerations) : batch;
        var sequences = new List<GeneratedSequence>(samples.Count);
        double prefill = visionSeconds, decode = 0;
        for (int start = 0; start < batch; start += chunk)
        {
            int count = Math.Min(chunk, batch - start);
            var (embeds, grid) = images?.Rows(start, count) ?? (null, null);
            var part = new QwenVLInputs { InputIds = ids.narrow(0, start, count), AttentionMask = mask.narrow(0, start, count), ImageEmbeds = embeds, ImageGridThw = grid };
            var result = Decode(part, options, samples, sampler, start, onToken);
            sequences.AddRange(result.Sequences);
            prefill += result.PrefillSeconds;
            decode += result.DecodeSeconds;
        }
        return new GenerationOutput(sequences, prefill, decode);
    }

    GenerationOutput Decode(QwenVLInputs prompt, ResolvedGeneration o, SampleGrid grid, TokenSampler sampler, int promptBase, Action<int, int>? onToken)
    {
        using var scope = torch.NewDisposeScope();
        var watch = Stopwatch.StartNew();
        var ids = prompt.InputIds;
        int prompts = (int)ids.shape[0], length = (int)ids.shape[1];
        // The chunk's rows: (prompt in the chunk, sample) of each sequence, and the stream it draws from.
        var (rowPrompt, rowSample) = grid.Rows(promptBase, prompts);
        int rows = rowPrompt.Length, rowBase = grid.RowsBefore(promptBase);
        var rowStream = Enumerable.Range(0, rows).Select(r => grid.Stream(promptBase + rowPrompt[r], rowSample[r])).ToArray();
        long vocab = _model.Config.Text.VocabSize;
        var cache = KvCache.For(_model.Config.Text, prompts, length + o.MaxNewTokens, _model.DType, ids.device);
        try
        {
            QwenVLOutput first;
            // LoRA dropout (model in train mode, as in TRL's rollouts) keyed per prompt: its first sequence's index.
            using (DropoutStreams.Use(Enumerable.Range(0, prompts).Select(p => sampler.StreamKey(0, grid.Stream(promptBase + p, 0))).ToArray(), prompt.AttentionMask!))
                first = _model.forward(new QwenVLInputs
                {
                    InputIds = ids, AttentionMask = prompt.AttentionMask, ImageEmbeds = prompt.ImageEmbeds,
                    ImageGridThw = prompt.ImageGridThw, Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1),
                });
            var logits = first.Logits.select(1, -1).to(ScalarType.Float32);
            var promptIds = ids;
            if (rows != prompts)
            {
                // Share the prefill: every prompt's cache rows are copied for its samples.
                var repeat = torch.tensor(rowPrompt.Select(p => (long)p).ToArray(), ScalarType.Int64, ids.device);
                var shared = cache.SelectRows(repeat);
                cache.Dispose();
                cache = shared;
                logits = logits.index_select(0, repeat);
                promptIds = ids.index_select(0, repeat);
            }
            var suppress = SuppressMask(vocab, ids.device);
            Tensor? seen = o.RepetitionPenalty != 1.0
                ? torch.zeros([rows, vocab], dtype: ScalarType.Bool, device: ids.device).scatter_(1, promptIds, torch.ones_like(promptIds, dtype: ScalarType.Bool))
                : null;
            double prefillSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();

            var tokens = Enumerable.Range(0, rows).Select(_ => new List<int>(o.MaxNewTokens)).ToArray();
            var logProbs = o.ReturnLogProbs ? Enumerable.Range(0, rows).Select(_ => new List<float>(o.MaxNewTokens)).ToArray() : null;
            var reasons = new FinishReason[rows];
            var alive = Enumerable.Range(0, rows).ToArray();
            var eos = o.EosTokenIds.ToHashSet();
            for (int step = 0; step < o.MaxNewTokens; step++)
            {
                using var stepScope = torch.NewDisposeScope();
                var streams = alive.Select(seq => rowStream[seq]).ToArray();
                var next = sampler.Next(LogitsProcessing.Apply(logits, seen, suppress, o), streams, step);
                var picked = next.to(ScalarType.Int64).cpu().data<long>().ToArray();
                var pickedLogProbs = logProbs is null ? null : TokenLogProbs(logits, next, o);
                var keep = new List<int>(alive.Length);
                for (int r = 0; r < alive.Length; r++)
                {
                    int seq = alive[r], id = (int)picked[r];
                    tokens[seq].Add(id);
                    logProbs?[seq].Add(pickedLogProbs![r]);
                    onToken?.Invoke(rowBase + seq, id);
                    if (eos.Contains(id)) reasons[seq] = FinishReason.Eos;
                    else if (step == o.MaxNewTokens - 1) reasons[seq] = FinishReason.Length;
                    else keep.Add(r);
                }
                if (keep.Count == 0) break;
                seen?.scatter_(1, next.unsqueeze(1), torch.ones_like(next.unsqueeze(1), dtype: ScalarType.Bool));
                if (keep.Count < alive.Length)
                {
                    // Drop finished rows so they stop costing compute.
                    var index = torch.tensor(keep.Select(k => (long)k).ToArray(), device: ids.device);
                    var smaller = cache.SelectRows(index);
                    cache.Dispose();
                    cache = smaller;
                    next = next.index_select(0, index);
                    if (seen is not null) { var s = seen.index_select(0, index).MoveToOuterDisposeScope(); seen.Dispose(); seen = s; }
                    alive = keep.Select(k => alive[k]).ToArray();
                    streams = keep.Select(k => streams[k]).ToArray();
                }
                QwenVLOutput output;
                using (DropoutStreams.Use(streams.Select(seq => sampler.StreamKey(step + 1, seq)).ToArray()))
                    output = _model.forward(new QwenVLInputs { InputIds = next.unsqueeze(1), Cache = cache, LogitsToKeep = LogitsToKeep.LastN(1) });
                var newLogits = output.Logits.select(1, -1).to(ScalarType.Float32).MoveToOuterDisposeScope();
                logits.Dispose();
                logits = newLogits;
            }
            double decodeSeconds = watch.Elapsed.TotalSeconds;
            var sequences = Enumerable.Range(0, rows).Select(seq => new GeneratedSequence
            {
                PromptIndex = promptBase + rowPrompt[seq],
                SampleIndex = rowSample[seq],
                CompletionIds = tokens[seq].ToArray(),
                TokenLogProbs = logProbs?[seq].ToArray(),
                Text = _tokenizer?.Decode(tokens[seq], skipSpecialTokens: true) ?? "",
                FinishReason = reasons[seq],
                PrefillSeconds = prefillSeconds,
                DecodeSeconds = decodeSeconds,
            }).ToList();
            return new GenerationOutput(sequences, prefillSeconds, decodeSeconds);
        }
        finally
        {
            cache.Dispose();
        }
    }

    /// <summary>log softmax(logits / T) at the picked ids, one per live row (T = 1 when greedy).</summary>
    static float[] TokenLogProbs(Tensor logits, Tensor picked, ResolvedGeneration o)
    {
        var scaled = o.DoSample ? LogitsProcessing.Scale(logits, o.Temperature) : logits;
        return torch.nn.functional.log_softmax(scaled, 1).gather(1, picked.to(ScalarType.Int64).unsqueeze(1)).squeeze(1)
            .cpu().data<float>().ToArray();
    }

    Tensor? SuppressMask(long vocab, Device device)
    {
        if (SuppressedTokenIds.Count == 0) return null;
        var mask = torch.zeros(vocab, dtype: ScalarType.Bool, device: device);
        mask.index_fill_(0, torch.tensor(SuppressedTokenIds.Select(i => (long)i).ToArray(), device: device), true);
        return mask;
    }
}
