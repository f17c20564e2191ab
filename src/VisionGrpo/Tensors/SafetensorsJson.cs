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

    static StringBuilder Append(StringBuilder sb, string value, bool asciiOnly)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    // Surrogate pairs come out as two \u escapes under ensure_ascii, as Python writes them.
                    if (c < 0x20 || (asciiOnly && c > 0x7E)) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"');
    }

    /// <summary>Orders strings by their UTF-8 bytes (= code point order), as Rust and Python sort strings.</summary>
    public static int CompareUtf8(string a, string b)
    {
        byte[] x = Encoding.UTF8.GetBytes(a), y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }
}
