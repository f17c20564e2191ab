using System.Text.Json;
using System.Text.Json.Nodes;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Parity.Grpo;

/// <summary>
/// Runs GRPO fixture records (the format of <c>tests/fixtures/grpo/cases_dev.jsonl</c>: <c>kind</c> advantages or loss,
/// <c>trl_version</c>, <c>hyperparameters</c>, <c>inputs</c>) through this library's advantage and loss code and
/// writes each record back with its <c>outputs</c> recomputed. A bad record yields an <c>error</c> entry for that
/// record only; <c>warnings</c> lists what was ignored or emulated.
/// </summary>
public static class GrpoComputeRunner
{
    /// <summary>Summary of a file run.</summary>
    /// <param name="Records">Records read.</param>
    /// <param name="Errors">Records answered with an <c>error</c> instead of <c>outputs</c>.</param>
    /// <param name="Warnings">Records that carry warnings.</param>
    /// <param name="Problems">"case (file:line): message" for each error and warning, in file order.</param>
    public sealed record RunSummary(int Records, int Errors, int Warnings, IReadOnlyList<string> Problems);

    /// <summary>Reads JSON Lines from <paramref name="inputPath"/> and writes one output record per line.</summary>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    public static RunSummary RunFile(string inputPath, string outputPath)
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"grpo compute: input file '{inputPath}' does not exist.", inputPath);
        int records = 0, errors = 0, warned = 0;
        var problems = new List<string>();
        using var writer = new StreamWriter(outputPath, append: false);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(inputPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            records++;
            var output = RunLine(line, $"{inputPath}:{lineNumber}");
            string where = $"{output["case_id"]?.ToString() ?? "record"} ({Path.GetFileName(inputPath)}:{lineNumber})";
            if (output["error"] is { } error)
            {
                errors++;
                problems.Add($"{where}: error: {error["message"]}");
            }
            if (output["warnings"] is JsonArray warnings)
            {
                warned++;
                problems.AddRange(warnings.Select(w => $"{where}: warning: {w}"));
            }
            writer.WriteLine(output.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        }
        return new RunSummary(records, errors, warned, problems);
    }

    /// <summary>Processes one JSON record; never throws (failures become the record's <c>error</c>).</summary>
    /// <param name="json">The record text.</param>
    /// <param name="where">Location used in error messages (file:line).</param>
    public static JsonObject RunLine(string json, string where)
    {
        JsonObject record;
        try
        {
            record = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("the line is not a JSON object.");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return new JsonObject { ["outputs"] = null, ["error"] = Error(e, where) };
        }
        return Run(record, where);
    }

    /// <summary>Processes one parsed record; never throws.</summary>
    public static JsonObject Run(JsonObject record, string where)
    {
        var output = new JsonObject();
        foreach (var (key, value) in record)
            if (key is not ("outputs" or "error" or "warnings")) output[key] = value?.DeepClone();
        var warnings = new List<string>();
        try
        {
            string kind = record["kind"]?.GetValue<string>() ?? throw new FormatException("'kind' is missing.");
            string version = record["trl_version"]?.GetValue<string>() ?? throw new FormatException("'trl_version' is missing.");
            var compat = TrlCompatNames.Parse(version);
            var options = HyperparameterReader.Read(record["hyperparameters"] as JsonObject, compat, warnings);
            options.Validate();
            var inputs = record["inputs"] as JsonObject ?? throw new FormatException("'inputs' is missing or not an object.");
            CheckGenerationBatch(inputs, options);
            output["outputs"] = kind switch
            {
                "advantages" => AdvantageRecord.Compute(inputs, options, warnings),
                "loss" => LossRecord.Compute(record, inputs, options, warnings),
                _ => throw new FormatException($"kind '{kind}' is unknown: use advantages or loss."),
            };
        }
        catch (Exception e)
        {
            output["outputs"] = null;
            output["error"] = Error(e, where);
        }
        if (warnings.Count > 0) output["warnings"] = new JsonArray(warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        return output;
    }

    /// <summary>GRPOConfig's own checks (both versions): G ≥ 2 and whole groups in the generation batch.</summary>
    static void CheckGenerationBatch(JsonObject inputs, GrpoAlgorithmOptions options)
    {
        if (options.NumGenerations < 2)
            throw new ArgumentException(
                $"GRPO requires at least 2 generations per prompt to calculate the advantages. You provided {options.NumGenerations}, which is less than the minimum required.");
        int rows = RecordJson.Array(inputs["completion_ids"], "inputs.completion_ids").Count;
        long generationBatch = (long)rows * options.GradientAccumulationSteps;
        if (generationBatch % options.NumGenerations != 0)
            throw new ArgumentException(
                $"generation_batch_size ({generationBatch}) must be divisible by num_generations ({options.NumGenerations}).");
    }

    static JsonObject Error(Exception e, string where) => new()
    {
        ["type"] = e.GetType().Name,
        ["message"] = e.Message,
        ["raised_at"] = where,
    };
}
