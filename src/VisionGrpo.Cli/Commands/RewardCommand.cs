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
        var rows = JsonlFile.Read(inputPath);
        var completions = rows.Select(r => JsonlFile.RequiredString(r.row, "completion", inputPath, r.line)).ToArray();
        var solutions = names.Contains("accuracy") || report
            ? rows.Select(r => JsonlFile.RequiredString(r.row, "solution", inputPath, r.line, "gold")).ToArray()
            : new string[rows.Count];
        var expectedFormat = rows.Select(r => r.row["format_reward"]?.GetValue<double?>()).ToArray();
        var expectedAccuracy = rows.Select(r => r.row["accuracy_reward"]?.GetValue<double?>()).ToArray();

        var batch = new RewardBatch(new string[rows.Count].Select(_ => "").ToArray(), completions,
            new Dictionary<string, IReadOnlyList<object?>> { ["solution"] = solutions });
        float?[]? format = names.Contains("format") ? new FormatReward().Score(batch) : null;
        float?[]? accuracy = names.Contains("accuracy") ? new AccuracyReward().Score(batch) : null;

        var outRows = rows.Select((r, i) =>
        {
            var o = (JsonObject)r.row.DeepClone();
            o["format_reward"] = format?[i] is float f ? JsonValue.Create((double)f) : null;
            o["accuracy_reward"] = accuracy?[i] is float a ? JsonValue.Create((double)a) : null;
            return o;
        });
        JsonlFile.Write(outputPath, outRows);

        if (report) PrintReport(batch, format, accuracy, expectedFormat, expectedAccuracy);
        return 0;
    }

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
