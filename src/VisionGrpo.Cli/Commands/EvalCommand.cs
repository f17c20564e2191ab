using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VisionGrpo.Formats;
using VisionGrpo.Training.Evaluation;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo eval</c>: generates completions for a dataset split with a model (plus optional LoRA adapter), scores
/// them with the reward functions and prints TRL's eval metrics (a table, or one JSON object with <c>--json</c>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model folder or hub id (default: the recipe's model_name_or_path)." };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT LoRA adapter folder applied to the model." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset folder or hub id (default: the recipe's dataset_name)." };
        var split = new Option<string?>("--split") { Description = "Split to evaluate, e.g. test or train[:10%] (default: the recipe's held-out rows, else test)." };
        var recipe = new RecipeOptions();
        var rewards = new Option<string?>("--reward-funcs") { Description = "Comma-separated rewards, e.g. format,accuracy=2 (default: the recipe's reward_funcs)." };
        var numGenerations = new Option<int>("--num-generations") { Description = "Completions per prompt.", DefaultValueFactory = _ => 1 };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N rows." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature; 0 = greedy (default: the recipe's, or 0 without a recipe)." };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Tokens per completion at most (default: max_completion_length)." };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed (default: the recipe's seed)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Completions per generation batch (default: per_device_eval_batch_size)." };
        var samples = new Option<string?>("--samples") { Description = "Write every completion with its rewards to this JSONL file." };
        var dtype = new Option<string?>("--dtype") { Description = "fp32 or bf16 (default: the recipe's bf16, else fp32)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("eval", "Evaluate a model (and adapter) on a dataset split: mean rewards, accuracy, format rate, lengths.");
        foreach (var o in new Option[] { model, adapter, dataset, split, rewards, numGenerations, limit, temperature, maxNew, seed, batchSize, samples, dtype, json })
            command.Options.Add(o);
        // -c/--config supplies prompts, columns, rewards and sampling; recipe keys as flags and --set override it.
        recipe.AddTo(command, printConfig: false);
        command.SetAction(parse =>
        {
            var request = new EvalRequest
            {
                Model = parse.GetValue(model), Adapter = parse.GetValue(adapter), Dataset = parse.GetValue(dataset),
                Split = parse.GetValue(split), Config = parse.GetValue(recipe.Config)?.FullName, Sets = recipe.Overrides(parse),
                RewardFuncs = parse.GetValue(rewards), NumGenerations = parse.GetValue(numGenerations), Limit = parse.GetValue(limit),
                Temperature = parse.GetValue(temperature), MaxNewTokens = parse.GetValue(maxNew), Seed = parse.GetValue(seed),
                BatchSize = parse.GetValue(batchSize), DType = parse.GetValue(dtype),
            };
            return Run(parse.InvocationConfiguration.Output, request, parse.GetValue(samples), parse.GetValue(json));
        });
        return command;
    }

    static int Run(TextWriter stdout, EvalRequest request, string? samplesPath, bool json)
    {
        using var session = EvalSession.Open(request);
        var result = WithProgress(stdout, json, session);
        if (samplesPath is not null) result.WriteSamples(samplesPath);
        if (json) stdout.WriteLine(Json(result, session));
        else WriteTable(stdout, result, session, samplesPath);
        return 0;
    }

    /// <summary>A progress bar only on a real terminal; captured or redirected output stays clean.</summary>
    static EvaluationResult WithProgress(TextWriter stdout, bool json, EvalSession session)
    {
        if (json || !ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected) return session.Run();
        int rows = Math.Min(session.Request.Limit ?? session.Dataset.Count, session.Dataset.Count);
        EvaluationResult? result = null;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask("evaluating", maxValue: Math.Max(rows, 1));
            result = session.Run(new Progress<int>(done => task.Value = done));
            task.Value = rows;
        });
        return result!;
    }

    /// <summary>One object: the metrics (NaN as null, TRL's None), then size and speed.</summary>
    static string Json(EvaluationResult result, EvalSession session)
    {
        var members = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in result.Metrics)
            members.Add(KeyValuePair.Create(key, double.IsNaN(value) ? null : (object?)value));
        members.Add(KeyValuePair.Create("split", (object?)session.DatasetLabel));
        members.Add(KeyValuePair.Create("rows", (object?)result.Rows));
        members.Add(KeyValuePair.Create("skipped_rows", (object?)result.SkippedRows.Count));
        members.Add(KeyValuePair.Create("completions", (object?)result.Samples.Count));
        members.Add(KeyValuePair.Create("generated_tokens", (object?)result.GeneratedTokens));
        members.Add(KeyValuePair.Create("seconds", (object?)result.Seconds));
        members.Add(KeyValuePair.Create("tokens_per_second", (object?)result.TokensPerSecond));
        return PythonJson.Serialize(members);
    }

    static void WriteTable(TextWriter stdout, EvaluationResult result, EvalSession session, string? samplesPath)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = ReferenceEquals(stdout, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ReferenceEquals(stdout, Console.Out) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (key, value) in result.Metrics)
            table.AddRow(Markup.Escape(key), double.IsNaN(value) ? "None" : value.ToString("0.####", CultureInfo.InvariantCulture));
        console.Write(table);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"split {session.DatasetLabel}: {result.Rows} rows x {session.Request.NumGenerations} = {result.Samples.Count} completions, " +
            $"{result.GeneratedTokens} tokens in {result.Seconds:F2} s ({result.TokensPerSecond:F1} tokens/s)"));
        foreach (var row in result.SkippedRows) stdout.WriteLine($"skipped a row that cannot be used: {row}");
        if (samplesPath is not null) stdout.WriteLine($"samples: {samplesPath}");
    }
}
