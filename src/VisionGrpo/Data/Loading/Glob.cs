using System.Text;
using System.Text.RegularExpressions;

namespace VisionGrpo.Data.Loading;

/// <summary>fsspec-style globs over '/'-separated relative paths: <c>*</c> and <c>?</c> stay in one segment, <c>**</c> crosses them.</summary>
internal static class Glob
{
    public static Regex ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                // "**/" also matches zero directories.
                if (i + 1 < pattern.Length && pattern[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                else sb.Append(".*");
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Files under <paramref name="root"/> matching <paramref name="pattern"/>, sorted by relative path (as fsspec returns them).</summary>
    public static List<string> Match(string root, string pattern)
    {
        var rx = ToRegex(pattern.TrimStart('/').Replace('\\', '/'));
        return Files(root).Where(rel => rx.IsMatch(rel)).Select(rel => Path.Combine(root, rel)).ToList();
    }

    /// <summary>All files under <paramref name="root"/> as sorted '/'-separated relative paths, skipping hidden folders (.git, .cache).</summary>
    public static List<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(rel => !rel.Split('/').Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
}
