using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using VisionGrpo.MathVerify.Compat;

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
        var rows = JsonlFile.Read(inputPath);
        var results = new JsonObject[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            var (line, row) = rows[i];
            var o = (JsonObject)row.DeepClone();
            if (row["kind"] is null && row["gold"] is not null) o["kind"] = "verify";
            try { o["actual"] = FixtureRowEvaluator.Evaluate(o); }
            catch (FormatException ex) { throw new FormatException($"{inputPath}:{line}: {ex.Message}", ex); }
            if (row["kind"] is null) o.Remove("kind");
            results[i] = o;
        });
        JsonlFile.Write(outputPath, results);
        int withExpected = 0, agree = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].row["expected"] is null && rows[i].row["kind"]?.GetValue<string>() != "reward") continue;
            if (!rows[i].row.ContainsKey("expected")) continue;
            withExpected++;
            var withKind = (JsonObject)rows[i].row.DeepClone();
            withKind["kind"] ??= "verify";
            if (FixtureRowEvaluator.Agrees(withKind, results[i]["actual"])) agree++;
        }
        AnsiConsole.MarkupLine(withExpected > 0
            ? $"{rows.Count} rows; agreement with 'expected': {agree}/{withExpected} ({100.0 * agree / withExpected:F2} %)"
            : $"{rows.Count} rows written to {Markup.Escape(outputPath)}");
        return 0;
    }
}
