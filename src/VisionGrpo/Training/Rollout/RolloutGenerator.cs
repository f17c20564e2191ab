using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Generation;
using VisionGrpo.Lora;
using VisionGrpo.Rewards;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Inputs;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// One generation round as TRL's <c>_generate_and_score_completions</c> does it: build the U prompts, sample G
/// completions each with the policy (no gradient, model left in train mode so LoRA dropout stays on, as TRL does),
/// cut after the first EOS, score every reward function on the decoded text, and compute group advantages and the
/// round's metrics. The vision tower runs once per unique prompt.
/// </summary>
internal sealed class RolloutGenerator
{
    readonly PolicyModel _policy;
    readonly PromptBuilder _prompts;
    readonly IReadOnlyList<IRewardFunction> _rewards;
    readonly GrpoAlgorithmOptions _options;
    readonly ResolvedGeneration _generation;
    readonly GenerationEngine _engine;
    readonly bool _visionTrains;

    /// <summary>Creates the generator.</summary>
    /// <param name="policy">The model being trained.</param>
    /// <param name="prompts">Builds prompts from dataset rows.</param>
    /// <param name="rewards">Reward functions (their names label the metrics).</param>
    /// <param name="options">GRPO options (G, compat, masks, weights).</param>
    /// <param name="generation">Rollout sampling options (TRL mode).</param>
    public RolloutGenerator(PolicyModel policy, PromptBuilder prompts, IReadOnlyList<IRewardFunction> rewards,
        GrpoAlgorithmOptions options, ResolvedGeneration generation)
    {
        if (rewards.Count == 0) throw new ArgumentException("at least one reward function is needed (reward_funcs).");
        _policy = policy;
        _prompts = prompts;
        _rewards = rewards;
        _options = options;
        _generation = generation;
        _engine = new GenerationEngine(policy.Model, policy.Text.Tokenizer);
        _visionTrains = policy.TrainableParameters.Any(p => p.Name.Contains("visual.", StringComparison.Ordinal));
    }

    /// <summary>Seconds spent in reward functions so far.</summary>
    public double RewardSeconds { get; private set; }

    /// <summary>Reward function names, in reward-column order.</summary>
    public IReadOnlyList<string> RewardNames => _rewards.Select(r => r.Name).ToArray();

    /// <summary>
    /// Generates and scores <c>G</c> completions for each of <paramref name="rows"/>, one group per row — or, for a
    /// data-parallel rank, the completions [<paramref name="firstSequence"/>, + <paramref name="count"/>) of the round,
    /// whose first and last groups may be partial.
    /// </summary>
    /// <param name="rows">The prompts of the completions generated here (row 0: prompt <paramref name="firstSequence"/> / G of the round).</param>
    /// <param name="seed">Sampling seed of this round (the trainer derives one per round, so resuming repeats it).</param>
    /// <param name="cancellationToken">Cancels reward scoring.</param>
    /// <param name="firstSequence">
    /// Global index of the first completion generated here within the round (a rank's slice starts past the others'):
    /// each completion's sampling stream is keyed by it, so the split over ranks does not change what is sampled.
    /// Completion k of the round is sample k mod G of prompt k / G.
    /// </param>
    /// <param name="count">Completions to generate (default: G per row, less the first row's <c>firstSequence mod G</c>).</param>
    public List<RolloutGroup> Sample(IReadOnlyList<DatasetRow> rows, long seed, CancellationToken cancellationToken = default, long firstSequence = 0, int? count = null)
    {
        int g = _options.NumGenerations;
        var device = _policy.Device;
        using var prompts = _prompts.Build(rows);
        using var scope = torch.NewDisposeScope();
        var ids = prompts.Inputs.InputIds.to(device);
        var mask = prompts.Inputs.AttentionMask!.to(device);
        int firstPrompt = (int)(firstSequence / g);
        var (embeds, grid, images, imageGrids) = Images(prompts, device, seed, p => firstPrompt + p);
        GenerationOutput output;
        using (torch.no_grad())
            output = _engine.Generate(new() { InputIds = ids, AttentionMask = mask, ImageEmbeds = embeds, ImageGridThw = grid },
                _generation with { Seed = seed, FirstSequenceIndex = firstSequence }, g,
                firstSample: (int)(firstSequence % g), sampleCount: count);

        var texts = output.Sequences.Select(s => s.Text).ToArray();
        var promptRow = output.Sequences.Select(s => s.PromptIndex).ToArray();
        var rewardWatch = System.Diagnostics.Stopwatch.StartNew();
        var rewards = Score(rows, promptRow, promptRow.Select(p => prompts.Texts[p]).ToArray(), texts, cancellationToken);
        RewardSeconds += rewardWatch.Elapsed.TotalSeconds;
        // The sequences come prompt-major: prompt p's are the run [start[p], start[p + 1]).
        var start = new int[rows.Count + 1];
        foreach (int p in promptRow) start[p + 1]++;
        for (int p = 0; p < rows.Count; p++) start[p + 1] += start[p];
        return Groups(rows, prompts, images, imageGrids, p => firstPrompt + p, p =>
        {
            var run = Enumerable.Range(start[p], start[p + 1] - start[p]).ToArray();
            return (output.Sequences[start[p]].SampleIndex, run.Select(i => output.Sequences[i].CompletionIds).ToArray(),
                run.Select(i => texts[i]).ToArray(), run.Select(i => rewards.Select(r => r[i]).ToArray()).ToArray());
        });
    }

    /// <summary>
    /// The prompts of <paramref name="rows"/> (ids, text, images) without completions: what a data-parallel rank
    /// needs to train on completions another rank generated (their ids and rewards come from the gathered round).
    /// </summary>
    /// <param name="rows">Dataset rows of the prompts.</param>
    /// <param name="promptIndex">Each row's prompt index in the round.</param>
    /// <param name="seed">The round's seed (keys the vision tower's LoRA dropout, as in <see cref="Sample"/>).</param>
    public List<RolloutGroup> Prompts(IReadOnlyList<DatasetRow> rows, IReadOnlyList<int> promptIndex, long seed)
    {
        using var prompts = _prompts.Build(rows);
        using var scope = torch.NewDisposeScope();
        var (_, _, images, imageGrids) = Images(prompts, _policy.Device, seed, p => promptIndex[p], trainingOnly: true);
        return Groups(rows, prompts, images, imageGrids, p => promptIndex[p], _ => (0, [], [], []));
    }

    List<RolloutGroup> Groups(IReadOnlyList<DatasetRow> rows, PromptBatch prompts, Tensor?[]? images, Tensor?[]? imageGrids,
        Func<int, int> promptIndex, Func<int, (int First, int[][] Ids, string[] Texts, double?[][] Rewards)> completions)
    {
        var promptIds = prompts.Inputs.InputIds.data<long>().ToArray();
        long width = prompts.Inputs.InputIds.shape[1];
        return rows.Select((row, p) =>
        {
            var (first, ids, texts, rewards) = completions(p);
            return new RolloutGroup
            {
                Row = row,
                Prompt = promptIndex(p),
                PromptIds = promptIds.AsSpan((int)(p * width + width - prompts.Lengths[p]), prompts.Lengths[p]).ToArray().Select(x => (int)x).ToArray(),
                PromptText = prompts.Texts[p],
                ImageData = images?[p]?.MoveToOuterDisposeScope(),
                ImageGrid = imageGrids?[p]?.MoveToOuterDisposeScope(),
                ImagesAreEmbeddings = !_visionTrains,
                FirstSample = first,
                CompletionIds = ids,
                CompletionTexts = texts,
                Rewards = rewards,
            };
        }).ToList();
    }

    /// <summary>Separates the rollouts' vision-tower dropout keys from every other stream of the round.</summary>
    const long RolloutImageDropout = 0x524F4C4C; // "ROLL"

    /// <summary>
    /// The prompts' images, split per prompt, and (unless only the pixels are needed) the vision tower's embeddings.
    /// The tower runs in training mode, as TRL's rollouts do, so its LoRA dropout (when LoRA targets it) is on: prompt
    /// p's images draw their masks from (round seed, global prompt index <paramref name="promptIndex"/>(p)), the same
    /// on whichever rank and with whichever other prompts it is embedded. <paramref name="trainingOnly"/>: the images
    /// feed training alone (no generation), so when the vision tower trains — training re-embeds them from the pixels —
    /// the embeddings are not computed.
    /// </summary>
    (Tensor? Embeds, Tensor? Grid, Tensor?[]? Images, Tensor?[]? Grids) Images(PromptBatch prompts, Device device, long seed,
        Func<int, int> promptIndex, bool trainingOnly = false)
    {
        if (prompts.Inputs.PixelValues is not { } pixels || prompts.Inputs.ImageGridThw is not { } gridCpu) return (null, null, null, null);
        var grid = gridCpu.to(device);
        var pixelValues = pixels.to(device).to(_policy.Model.DType);
        // Generation needs the embeddings; training keeps them unless the vision tower trains (then the pixels).
        Tensor? embeds = null;
        if (!(trainingOnly && _visionTrains))
        {
            var promptKeys = Enumerable.Range(0, prompts.ImageCounts.Length).Select(p => CounterRandom.Key(seed, RolloutImageDropout, promptIndex(p))).ToArray();
            using var streams = DropoutStreams.ForImages(ImageDropoutKeys.PerOwner(promptKeys, prompts.ImageCounts, gridCpu));
            using (torch.no_grad()) embeds = _policy.Model.GetImageFeatures(pixelValues, grid);
        }
        int merge = _policy.Model.Config.Vision?.SpatialMergeSize ?? 2;
        var (images, grids) = RowImages.Split(_visionTrains ? pixelValues : embeds!, grid, prompts.ImageCounts, !_visionTrains, merge);
        return (embeds, grid, images, grids);
    }

    List<double?[]> Score(IReadOnlyList<DatasetRow> rows, int[] promptRow, string[] prompts, string[] completions, CancellationToken ct)
    {
        // Every dataset column reaches the reward functions, aligned with the completions (remove_unused_columns=False).
        var columns = rows[0].Keys.ToDictionary(c => c, c => (IReadOnlyList<object?>)promptRow.Select(p => rows[p][c]).ToArray());
        var batch = new RewardBatch(prompts, completions, columns);
        var result = new List<double?[]>();
        foreach (var reward in _rewards)
        {
            var scores = reward.ScoreChecked(batch, ct);
            result.Add(scores.Select(s => s is { } v ? (double?)v : null).ToArray());
        }
        return result;
    }
}
