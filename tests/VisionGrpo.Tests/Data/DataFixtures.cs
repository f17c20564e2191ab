using System.Text.Json.Nodes;

namespace VisionGrpo.Tests.Data;

/// <summary>Locates and reads the copied <c>fixtures/datasets</c> files.</summary>
internal static class DataFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "datasets");

    public static string MiniDataset => Path.Combine(Dir, "mini-visual-math");

    public static IEnumerable<JsonObject> Lines(string file) =>
        File.ReadLines(Path.Combine(Dir, file)).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject());

    public static JsonObject Case(string file, string id) => Lines(file).Single(o => (string)o["id"]! == id);

    public static TheoryData<string> Ids(string file)
    {
        var data = new TheoryData<string>();
        foreach (var o in Lines(file)) data.Add((string)o["id"]!);
        return data;
    }
}
