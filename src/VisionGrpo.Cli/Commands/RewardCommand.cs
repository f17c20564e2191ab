using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using VisionGrpo.Rewards;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo reward</c>: scores JSONL rows <c>{"completion": …, "solution": …}</c> with the recipe's rewards and
/// writes them back with <c>format_reward</c> / <c>accuracy_reward</c> (null when not requested).
/// </summary>
internal static class RewardCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "JSONL with completion and solution (or gold) per line.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "JSONL to write (input rows plus reward fields).", Required = true };
        var rewards = new Option<string>("--rewards") { Description = "Comma-separated rewards: format, accuracy.", DefaultValueFactory = _ => "format,accuracy" };
        var report = new Option<bool>("--report") { Description = "Print a summary, agreement with reward fields already in the input, and rows graded differently by gold_from_answer_tag." };
        var command = new Command("reward", "Score completions with the GRPO recipe's format and accuracy rewards.") { input, output, rewards, report };
        command.SetAction(r => Run(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(rewards)!, r.GetValue(report)));
        return command;
    }

    static int Run(string inputPath, string outputPath, string rewardList, bool report)
    {
        var names = rewardList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (var n in names)
            if (n is not ("format" or "accuracy"))
                throw new ArgumentException($"--rewards: unknown reward '{n}' (use format, accuracy)");
        bool needSolution = names.Contains("accuracy") || report;
        var lines = JsonlFile.ReadLines(inputPath);
        var outRows = lines.Select(JsonlFile.OutputRow).ToArray();
        var errors = new RowErrors(inputPath);

        // Rows with bad fields get an 'error' and are left out of the batch; the others are scored as usual.
        var good = new List<int>();
        var completions = new List<string>();
        var solutions = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            string? completion = null, solution = null;
            string? error = line.Error
                ?? (JsonlFile.TryGetString(line.Row!, out completion, "completion") ? null : "missing string field 'completion'")
                ?? (!needSolution || JsonlFile.TryGetString(line.Row!, out solution, "solution", "gold") ? null : "missing string field 'solution' (or gold)");
            if (error != null) { errors.Add(outRows[i], line.Line, error); continue; }
            good.Add(i);
            completions.Add(completion!);
            solutions.Add(solution ?? "");
        }

        var batch = new RewardBatch(completions.Select(_ => "").ToArray(), completions,
            new Dictionary<string, IReadOnlyList<object?>> { ["solution"] = solutions });
        float?[]? format = names.Contains("format") ? new FormatReward().Score(batch) : null;
        float?[]? accuracy = null;
        if (names.Contains("accuracy"))
        {
            var scored = new (float? Value, string? Error)[batch.Count];
            var reward = new AccuracyReward();
            Parallel.For(0, batch.Count, j => scored[j] = reward.Evaluate(solutions[j], completions[j]));
            accuracy = scored.Select(s => s.Value).ToArray();
            for (int j = 0; j < scored.Length; j++)
                if (scored[j].Error is { } e) errors.Add(outRows[good[j]], lines[good[j]].Line, "accuracy_reward: " + e);
        }

        for (int j = 0; j < good.Count; j++)
        {
            var o = outRows[good[j]];
            o["format_reward"] = format?[j] is float f ? JsonValue.Create((double)f) : null;
            o["accuracy_reward"] = accuracy?[j] is float a ? JsonValue.Create((double)a) : null;
        }
        JsonlFile.Write(outputPath, outRows);

        if (report)
        {
            var rows = good.Select(i => lines[i].Row!).ToList();
            PrintReport(batch, format, accuracy,
                rows.Select(r => Number(r, "format_reward")).ToArray(), rows.Select(r => Number(r, "accuracy_reward")).ToArray());
        }
        errors.ThrowIfAny(lines.Count, outputPath);
        return 0;
    }

    /// <summary>A reward already in the input (for the agreement report); anything but a number counts as absent.</summary>
    static double? Number(JsonObject row, string field) =>
        row[field] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    static void PrintReport(RewardBatch batch, float?[]? format, float?[]? accuracy, double?[] expectedFormat, double?[] expectedAccuracy)
    {
        var table = new Table().AddColumn("metric").AddColumn("value");
        table.AddRow("rows", batch.Count.ToString());
        void Summary(string name, float?[]? values, double?[] expected)
        {
            if (values == null) return;
            var scored = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
            table.AddRow($"{name} mean", scored.Count == 0 ? "n/a" : scored.Average().ToString("F4"));
            int withExpected = expected.Count(e => e.HasValue);
            if (withExpected > 0)
            {
                int agree = Enumerable.Range(0, values.Length).Count(i => expected[i].HasValue && values[i].HasValue && Math.Abs(expected[i]!.Value - values[i]!.Value) < 1e-6);
                table.AddRow($"{name} agreement with input", $"{agree}/{withExpected} ({100.0 * agree / withExpected:F2} %)");
            }
        }
        Summary("format_reward", format, expectedFormat);
        Summary("accuracy_reward", accuracy, expectedAccuracy);
        var tagged = new AccuracyReward(goldFromAnswerTag: true).Score(batch);
        var baseline = accuracy ?? new AccuracyReward().Score(batch);
        int differ = Enumerable.Range(0, batch.Count).Count(i => tagged[i] != baseline[i]);
        table.AddRow("rows graded differently with gold_from_answer_tag", differ.ToString());
        table.AddRow("accuracy mean with gold_from_answer_tag", tagged.Where(v => v.HasValue).Select(v => v!.Value).DefaultIfEmpty().Average().ToString("F4"));
        AnsiConsole.Write(table);
    }
}
