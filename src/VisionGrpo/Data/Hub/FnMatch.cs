using System.Text;
using System.Text.RegularExpressions;

namespace VisionGrpo.Data.Hub;

/// <summary>Python <c>fnmatch</c> patterns, as huggingface_hub's <c>allow_patterns</c> use them (<c>*</c> also matches '/').</summary>
internal static class FnMatch
{
    public static bool IsMatch(string path, string pattern) => ToRegex(pattern).IsMatch(path);

    static Regex ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (c == '[' && pattern.IndexOf(']', i + 1) is int close and > 0)
            {
                string body = pattern[(i + 1)..close];
                sb.Append('[').Append(body.StartsWith('!') ? "^" + Regex.Escape(body[1..]) : Regex.Escape(body)).Append(']');
                i = close;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        // A pattern naming a folder ("data/") selects everything below it, as in huggingface_hub.
        if (pattern.EndsWith('/')) sb.Append(".*");
        return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
