using System.Text.Json.Nodes;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using Xunit;

namespace VisionGrpo.Tests.Cli;

/// <summary>
/// <c>math verify</c> and <c>reward</c> never let one row abort a batch: a row that cannot be evaluated gets an
/// <c>error</c> field, every other row gets exactly the result it gets alone, and the exit code is 1.
/// </summary>
public sealed class BatchRowErrorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("vg-rowerr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Code, string Err) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(MathVerifyCommand.Create());
        root.Subcommands.Add(RewardCommand.Create());
        var (output, error) = (new StringWriter(), new StringWriter());
        return (CliRunner.Run(root, args, output, error), error.ToString());
    }

    string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    static List<JsonObject> Read(string path) => File.ReadLines(path).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    const string Good1 = """{"gold": "$\\frac{1}{2}$", "pred": "$0.5$", "expected": true}""";
    const string Good2 = """{"kind": "latex2sympy", "pred": "\\variable{x\\beta 10_{y\\alpha 20}}", "gold": "x\\beta 10_{y\\alpha 20}", "params": {"compare": "structural", "gold_srepr": "Symbol('x\\\\beta 10_{y\\\\alpha 20}')"}, "expected": true}""";
    const string Good3 = """{"gold": "$999999999$", "pred": "$1000000000$", "expected": false}""";

    [Fact]
    public void MathVerifyKeepsGoingPastBadRows()
    {
        var input = Write("in.jsonl",
            Good1,
            """{"gold": "$1$", "pred": """,                       // line 2: not JSON
            Good2,
            """{"kind": "no_such_kind", "gold": "1", "pred": "1"}""", // line 4: unknown kind
            """{"kind": "verify", "gold": "$1$"}""",               // line 5: no pred
            "[1, 2]",                                               // line 6: not an object
            Good3);
        var output = Path.Combine(_dir, "out.jsonl");
        var (code, err) = Run("math", "verify", "--input", input, "--output", output);

        Assert.Equal(1, code);
        Assert.Contains("4 of 7 rows could not be evaluated", err);
        Assert.Contains("in.jsonl:2: not valid JSON", err);
        var rows = Read(output);
        Assert.Equal(7, rows.Count);
        Assert.Equal(2, rows[1]["line"]!.GetValue<int>());
        Assert.StartsWith("""{"gold": "$1$", "pred": """, rows[1]["raw"]!.GetValue<string>()); // nothing is lost
        Assert.Contains("no_such_kind", rows[3]["error"]!.GetValue<string>());
        Assert.Contains("'pred'", rows[4]["error"]!.GetValue<string>());
        Assert.NotNull(rows[5]["error"]);
        foreach (int i in new[] { 0, 2, 6 }) Assert.Null(rows[i]["error"]);

        // The good rows' results are exactly those of a run without the bad rows (which agree with Python).
        var alone = Path.Combine(_dir, "alone.jsonl");
        Assert.Equal(0, Run("math", "verify", "--input", Write("good.jsonl", Good1, Good2, Good3), "--output", alone).Code);
        var expected = Read(alone);
        Assert.Equal([true, true, false], expected.Select(r => r["actual"]!.GetValue<bool>()));
        Assert.Equal(expected.Select(r => r.ToJsonString()), new[] { rows[0], rows[2], rows[6] }.Select(r => r.ToJsonString()));
    }

    [Fact]
    public void RewardKeepsGoingPastBadRows()
    {
        const string right = """{"solution": "<think>So 3 + 5 = 8</think><answer>8</answer>", "completion": "<think>\nadd\n</think>\n<answer>\n$\\boxed{8}$\n</answer>"}""";
        const string wrong = """{"solution": "<think>So 3 + 5 = 8</think><answer>8</answer>", "completion": "The answer is $\\boxed{9}$"}""";
        var input = Write("in.jsonl",
            right,
            "{not json",                                                   // line 2
            """{"solution": "8"}""",                                       // line 3: no completion
            """{"solution": "8", "completion": 8}""",                      // line 4: completion is not a string
            wrong);
        var output = Path.Combine(_dir, "out.jsonl");
        var (code, err) = Run("reward", "--input", input, "--output", output);

        Assert.Equal(1, code);
        Assert.Contains("3 of 5 rows could not be evaluated", err);
        var rows = Read(output);
        Assert.Equal(5, rows.Count);
        Assert.Equal("{not json", rows[1]["raw"]!.GetValue<string>());
        Assert.Contains("'completion'", rows[2]["error"]!.GetValue<string>());
        Assert.Contains("'completion'", rows[3]["error"]!.GetValue<string>());

        var alone = Path.Combine(_dir, "alone.jsonl");
        Assert.Equal(0, Run("reward", "--input", Write("good.jsonl", right, wrong), "--output", alone).Code);
        var expected = Read(alone);
        Assert.Equal([1.0, 0.0], expected.Select(r => r["accuracy_reward"]!.GetValue<double>()));
        Assert.Equal([1.0, 0.0], expected.Select(r => r["format_reward"]!.GetValue<double>()));
        Assert.Equal(expected.Select(r => r.ToJsonString()), new[] { rows[0], rows[4] }.Select(r => r.ToJsonString()));
    }
}
