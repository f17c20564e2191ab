using System.CommandLine;
using System.Text;
using System.Text.Json;
using VisionGrpo.Text;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo tokenize</c>: encode text with a model folder's tokenizer and decode it back.</summary>
internal static class TokenizeCommand
{
    static readonly HashSet<string> ComputedFields = ["ids", "tokens", "decoded", "decoded_skip_special"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder with tokenizer.json (and tokenizer_config.json).", Required = true };
        var input = new Option<string?>("--input") { Description = "JSON lines with a \"text\" field; without it, stdin text is tokenized and its ids printed." };
        var output = new Option<string?>("--output") { Description = "Output JSON lines (default: stdout): each row gains ids, tokens, decoded, decoded_skip_special." };
        var command = new Command("tokenize", "Tokenize text with a Hugging Face tokenizer.json (ids, tokens, decode with and without special tokens).")
        {
            model, input, output,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(model)!, parseResult.GetValue(input), parseResult.GetValue(output)));
        return command;
    }

    static int Run(string modelDir, string? inputPath, string? outputPath)
    {
        var tokenizer = HfTokenizer.FromDirectory(modelDir);
        using var output = TextJsonl.OpenOutput(outputPath);
        if (inputPath is null)
        {
            // The text is taken exactly as piped (a trailing newline is part of it; use printf to avoid one).
            using var stdin = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
            output.WriteLine("[" + string.Join(", ", tokenizer.Encode(stdin.ReadToEnd())) + "]");
            return 0;
        }
        TextJsonl.Transform(inputPath, output, (row, writer) =>
        {
            if (!row.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                throw new InvalidDataException("the row has no string field \"text\"");
            int[] ids = tokenizer.Encode(t.GetString()!);
            writer.WriteStartArray("ids");
            foreach (int id in ids) writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteStartArray("tokens");
            foreach (int id in ids) writer.WriteStringValue(tokenizer.IdToToken(id));
            writer.WriteEndArray();
            writer.WriteString("decoded", tokenizer.Decode(ids));
            writer.WriteString("decoded_skip_special", tokenizer.Decode(ids, skipSpecialTokens: true));
        }, ComputedFields);
        return 0;
    }
}
