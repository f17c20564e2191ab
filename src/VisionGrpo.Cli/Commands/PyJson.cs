using System.Text;

namespace VisionGrpo.Cli.Commands;

/// <summary>JSON laid out as Python's <c>json.dumps</c> does by default (<c>", "</c> and <c>": "</c>), so outputs diff cleanly against Python's.</summary>
internal static class PyJson
{
    public static string IntList(IEnumerable<int> values) => "[" + string.Join(", ", values) + "]";

    public static string String(string s) => VisionGrpo.Formats.PythonJson.Serialize(s);

    public static string Object(params (string Key, string RawValue)[] members)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < members.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(String(members[i].Key)).Append(": ").Append(members[i].RawValue);
        }
        return sb.Append('}').ToString();
    }
}
