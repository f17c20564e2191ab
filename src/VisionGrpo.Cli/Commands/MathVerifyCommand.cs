using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using VisionGrpo.Parity.MathVerify;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo math verify</c>: runs Math-Verify corpus rows (<c>gold</c>, <c>pred</c>, optional <c>params</c>, a
/// <c>kind</c>: verify, parse, reward, latex2sympy, latex2sympy_pair, normalize, sympy_expr_eq, behavior) and writes
/// each row with <c>actual</c> (our result in the corpus's format).
/// </summary>
internal static class MathVerifyCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "JSONL rows (gold, pred, params, kind).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "JSONL to write (rows plus 'actual').", Required = true };
        var verify = new Command("verify", "Parse and verify gold/prediction pairs (Math-Verify corpus rows).") { input, output };
        verify.SetAction(r => Run(r.GetValue(input)!, r.GetValue(output)!));
        return new Command("math", "Math-Verify port: parse and verify answers.") { verify };
    }

    static int Run(string inputPath, string outputPath)
    {
        var lines = JsonlFile.ReadLines(inputPath);
        var results = new JsonObject[lines.Count];
        var errors = new RowErrors(inputPath);
        Parallel.For(0, lines.Count, i => results[i] = EvaluateRow(lines[i], errors));
        JsonlFile.Write(outputPath, results);
        int withExpected = 0, agree = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            var row = lines[i].Row;
            if (row is null || results[i].ContainsKey("error") || !row.ContainsKey("expected")) continue;
            withExpected++;
            try { if (FixtureRowEvaluator.Agrees(WithKind(row), results[i]["actual"])) agree++; }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                errors.Add(results[i], lines[i].Line, $"cannot compare with 'expected': {ex.Message}");
            }
        }
        AnsiConsole.MarkupLine(withExpected > 0
            ? $"{lines.Count} rows; agreement with 'expected': {agree}/{withExpected} ({100.0 * agree / withExpected:F2} %)"
            : $"{lines.Count} rows written to {Markup.Escape(outputPath)}");
        errors.ThrowIfAny(lines.Count, outputPath);
        return 0;
    }

    /// <summary>The output row: the input plus <c>actual</c>, or plus <c>error</c> when the row cannot be evaluated.</summary>
    static JsonObject EvaluateRow(JsonlLine line, RowErrors errors)
    {
        var o = JsonlFile.OutputRow(line);
        if (line.Row is null) { errors.Add(o, line.Line, line.Error!); return o; }
        try { o["actual"] = FixtureRowEvaluator.Evaluate(WithKind(line.Row)); }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Any failure (a bad field, an unknown kind, an expected value we cannot read) stays in its row.
            o["actual"] = null;
            errors.Add(o, line.Line, ex.Message);
        }
        return o;
    }

    /// <summary>A row without <c>kind</c> is a <c>verify</c> row.</summary>
    static JsonObject WithKind(JsonObject row)
    {
        if (row["kind"] is not null) return row;
        var copy = (JsonObject)row.DeepClone();
        copy["kind"] = "verify";
        return copy;
    }
}
