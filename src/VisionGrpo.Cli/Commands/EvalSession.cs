using TorchSharp;
using VisionGrpo.Data;
using VisionGrpo.Data.Hub;
using VisionGrpo.Generation;
using VisionGrpo.Training;
using VisionGrpo.Recipes;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Data.Validation;
using VisionGrpo.Rewards;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Evaluation;
using VisionGrpo.Training.Inputs;

namespace VisionGrpo.Cli.Commands;

/// <summary>What <c>visiongrpo eval</c> was asked for (null = take it from the recipe or the default).</summary>
internal sealed record EvalRequest
{
    public string? Model { get; init; }
    public string? Adapter { get; init; }
    public string? Dataset { get; init; }
    public string? Split { get; init; }
    public string? Config { get; init; }
    public IReadOnlyList<string> Sets { get; init; } = [];
    public string? RewardFuncs { get; init; }
    public int NumGenerations { get; init; } = 1;
    public int? Limit { get; init; }
    public double? Temperature { get; init; }
    public int? MaxNewTokens { get; init; }
    public long? Seed { get; init; }
    public int? BatchSize { get; init; }
    public string? DType { get; init; }
}

/// <summary>
/// Everything <c>visiongrpo eval</c> needs, resolved from flags over the recipe over the defaults: the model (plus
/// adapter, in eval mode), the dataset split, the reward functions and the sampling settings. Owns the model.
/// </summary>
internal sealed class EvalSession : IDisposable
{
    EvalSession(EvalRequest request, PolicyModel policy, Evaluator evaluator, Dataset dataset, string datasetLabel,
        ResolvedGeneration generation, int batchSize)
    {
        Request = request;
        Policy = policy;
        Evaluator = evaluator;
        Dataset = dataset;
        DatasetLabel = datasetLabel;
        Generation = generation;
        BatchSize = batchSize;
    }

    /// <summary>The model (and adapter) under evaluation.</summary>
    public PolicyModel Policy { get; }
    public Evaluator Evaluator { get; }
    public Dataset Dataset { get; }
    /// <summary>Which rows are evaluated, for the report (e.g. <c>test</c> or <c>train (test_size=0.2 held out)</c>).</summary>
    public string DatasetLabel { get; }
    public ResolvedGeneration Generation { get; }
    public int BatchSize { get; }

    public static EvalSession Open(EvalRequest request)
    {
        Check(request);
        var recipe = RecipeLoader.Load(request.Config, request.Sets);
        string modelFolder = Locate(request.Model ?? recipe.ModelNameOrPath, "--model", "model_name_or_path", RepoType.Model, recipe.ModelRevision);
        string? datasetName = request.Dataset ?? recipe.DatasetName;
        recipe.DatasetName = datasetName is not null && SynthDatasetSpec.Matches(datasetName)
            ? datasetName  // generated (once) by RecipeDatasets
            : Locate(datasetName, "--dataset", "dataset_name", RepoType.Dataset, "main");
        if (request.Adapter is not null && !Directory.Exists(request.Adapter))
            throw new DirectoryNotFoundException($"--adapter '{request.Adapter}' does not exist.");
        var rewards = Rewards(request, recipe);
        var (dataset, label) = LoadDataset(recipe, request.Split);

        TorchRuntime.EnsureInitialized();
        var policy = PolicyModel.LoadForEvaluation(modelFolder, RecipeMapping.ToPolicyLoadOptions(recipe, modelFolder) with { Peft = null },
            DType(request, recipe), request.Adapter);
        try
        {
            var tokenizer = policy.Text.Tokenizer;
            var generation = Sampling(request, recipe)
                .Resolve(GenerationConfigFile.FromDirectory(modelFolder), tokenizer.EosTokenId, tokenizer.PadTokenId);
            var evaluator = new Evaluator(policy.Model, tokenizer, policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), rewards)
                { FailOnBadRow = RecipeMapping.ToBadRowPolicy(recipe) == BadRowPolicy.Fail };
            return new EvalSession(request, policy, evaluator, dataset, label, generation, request.BatchSize ?? recipe.PerDeviceEvalBatchSize);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    public EvaluationResult Run(IProgress<int>? progress = null) =>
        Evaluator.Evaluate(Dataset, Generation, Request.NumGenerations, BatchSize, Request.Limit, progress);

    public EvalRequest Request { get; }

    static void Check(EvalRequest r)
    {
        if (r.NumGenerations < 1) throw new ArgumentException($"--num-generations must be at least 1 (got {r.NumGenerations}).");
        if (r.BatchSize is < 1) throw new ArgumentException($"--batch-size must be at least 1 (got {r.BatchSize}).");
        if (r.Limit is < 1) throw new ArgumentException($"--limit must be at least 1 (got {r.Limit}).");
        if (r.MaxNewTokens is < 1) throw new ArgumentException($"--max-new-tokens must be at least 1 (got {r.MaxNewTokens}).");
        if (r.Temperature is < 0 || r.Temperature is double t && !double.IsFinite(t))
            throw new ArgumentException($"--temperature must be a finite number >= 0 (got {r.Temperature}).");
    }

    static string Locate(string? value, string option, string key, RepoType type, string revision)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{option} is required (or set {key} in --config).");
        try { return RepoLocator.Resolve(value, type, revision); }
        catch (ArgumentException e) { throw new ArgumentException($"{option}: {e.Message}.", e); }
        catch (HubException e) { throw new ArgumentException($"{option}: {e.Message}", e); }
    }

    static IReadOnlyList<IRewardFunction> Rewards(EvalRequest request, RecipeConfig recipe)
    {
        var specs = request.RewardFuncs is { } flag
            ? flag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : recipe.RewardFuncs;
        // reward_weights pair with the recipe's reward_funcs; a --reward-funcs list carries its own (accuracy=2).
        var weights = request.RewardFuncs is null ? recipe.RewardWeights : null;
        if (specs.Count == 0) throw new ArgumentException("--reward-funcs: no reward function given.");
        try
        {
            return RecipeMapping.ToRewards(specs, weights, recipe.GoldFromAnswerTag);
        }
        catch (ArgumentException e)
        {
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
            throw new ArgumentException($"--reward-funcs: {message}", e);
        }
    }

    /// <summary>
    /// An explicit <c>--split</c> is evaluated whole; without it, the recipe's held-out rows (<c>test_size</c>, the same
    /// train_test_split the trainer evaluates on, or <c>dataset_test_split</c>), else the split <c>test</c>.
    /// </summary>
    static (Dataset Rows, string Label) LoadDataset(RecipeConfig recipe, string? split)
    {
        if (split is null && !string.IsNullOrWhiteSpace(recipe.TestSize))
            return (RecipeDatasets.Load(recipe).Test!, $"{recipe.DatasetTrainSplit} (test_size={recipe.TestSize}, seed={recipe.Seed} held out)");
        if (split is null && !string.IsNullOrWhiteSpace(recipe.DatasetTestSplit))
            split = recipe.DatasetTestSplit;
        split ??= "test";
        // RecipeDatasets validates rows the trainer's way; asking for `split` as its training split loads it whole.
        recipe.DatasetTrainSplit = split;
        recipe.TestSize = null;
        recipe.DatasetTestSplit = null;
        try { return (RecipeDatasets.Load(recipe).Train, split); }
        catch (ArgumentException e) { throw new ArgumentException($"--split '{split}': {e.Message}", e); }
    }

    /// <summary>
    /// The recipe's TRL-mode sampling, then the flags. Without a recipe (no --config and no sampling --set) the default
    /// temperature is 0: greedy, so an evaluation is repeatable without a seed.
    /// </summary>
    static GenerationOptions Sampling(EvalRequest request, RecipeConfig recipe)
    {
        var options = RecipeMapping.ToGenerationOptions(recipe);
        bool recipeSampling = request.Config is not null || request.Sets.Any(s => SetsKey(s, "temperature") || SetsKey(s, "generation_kwargs"));
        return options with
        {
            Temperature = request.Temperature ?? (recipeSampling ? options.Temperature : 0),
            MaxNewTokens = request.MaxNewTokens ?? options.MaxNewTokens,
            Seed = request.Seed ?? options.Seed,
            GenerationBatchSize = 0,
        };
    }

    static bool SetsKey(string set, string key) => set.TrimStart().StartsWith(key + "=", StringComparison.Ordinal);

    /// <summary><c>--dtype</c>, else the recipe's <c>bf16</c> when a recipe or <c>--set bf16</c> gave one, else fp32 (CPU-friendly).</summary>
    static torch.ScalarType DType(EvalRequest request, RecipeConfig recipe)
    {
        if (request.DType is { } d) return ModelOptions.ParseDType(d);
        bool fromRecipe = request.Config is not null || request.Sets.Any(s => SetsKey(s, "bf16"));
        return fromRecipe && recipe.Bf16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32;
    }

    public void Dispose() => Policy.Dispose();
}
