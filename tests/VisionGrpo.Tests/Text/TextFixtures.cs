using System.Text.Json;
using VisionGrpo.Text;

namespace VisionGrpo.Tests.Text;

/// <summary>Paths and shared instances for the Qwen2.5-VL tokenizer fixtures (tests/fixtures/tokenizer).</summary>
internal static class TextFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");

    static readonly Lazy<HfTokenizer> SharedTokenizer = new(() => HfTokenizer.FromDirectory(Dir));

    /// <summary>Loading parses a 5 MB file, so the tests share one (the tokenizer is thread-safe).</summary>
    public static HfTokenizer Tokenizer => SharedTokenizer.Value;

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<JsonElement>> Jsonl = new();

    /// <summary>The rows of a fixture .jsonl file, parsed once per test run.</summary>
    public static List<JsonElement> ReadJsonl(string name) =>
        Jsonl.GetOrAdd(name, n => File.ReadLines(Path.Combine(Dir, n)).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList());

    public static string TemplateFile(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name))).RootElement.GetProperty("chat_template").GetString()!;
}
