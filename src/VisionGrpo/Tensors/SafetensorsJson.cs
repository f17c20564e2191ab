using System.Text;

namespace VisionGrpo.Tensors;

/// <summary>
/// The two JSON string spellings our files must match byte for byte: serde_json's (safetensors headers: only
/// quotes, backslashes and control characters escaped, UTF-8 kept) and Python's <c>json.dumps</c> default
/// (<c>ensure_ascii</c>: everything outside printable ASCII escaped, used for transformers' index file).
/// </summary>
internal static class SafetensorsJson
{
    /// <summary>Appends <paramref name="value"/> quoted the way serde_json writes it.</summary>
    public static StringBuilder AppendSerde(this StringBuilder sb, string value) => Append(sb, value, asciiOnly: false);

    /// <summary>Appends <paramref name="value"/> quoted the way Python's <c>json.dumps</c> writes it.</summary>
    public static StringBuilder AppendPythonAscii(this StringBuilder sb, string value) => Append(sb, value, asciiOnly: true);

    static StringBuilder Append(StringBuilder sb, string value, bool asciiOnly) =>
        VisionGrpo.Formats.PythonJson.AppendString(sb, value, ensureAscii: asciiOnly);

    /// <summary>Orders strings by their UTF-8 bytes (= code point order), as Rust and Python sort strings.</summary>
    public static int CompareUtf8(string a, string b)
    {
        byte[] x = Encoding.UTF8.GetBytes(a), y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }
}
