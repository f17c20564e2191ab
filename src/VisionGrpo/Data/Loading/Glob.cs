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

    /// <summary>
    /// All files under <paramref name="root"/> as sorted '/'-separated relative paths, skipping hidden entries (.git,
    /// .cache). The walk stays inside the dataset's <see cref="DatasetBoundary"/>: a directory reached twice through
    /// links (a loop such as <c>loop -&gt; ..</c>) is listed once, and a link out of the boundary, a FIFO or a
    /// device is refused with its name.
    /// </summary>
    /// <exception cref="InvalidDataException">An entry leaves the dataset folder or is not a regular file.</exception>
    public static List<string> Files(string root)
    {
        var boundary = DatasetBoundary.For(root);
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { UnixFiles.RealPath(root)! };
        var pending = new Stack<(string Dir, string Rel)>([(Path.GetFullPath(root), "")]);
        while (pending.Count > 0)
        {
            var (dir, rel) = pending.Pop();
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                if (entry.Name.StartsWith('.')) continue;
                string entryRel = rel.Length == 0 ? entry.Name : rel + "/" + entry.Name;
                var kind = UnixFiles.Kind(entry.FullName);
                if (kind == FileKind.Missing) continue; // a broken link: nothing to read
                if (kind != FileKind.Directory)
                {
                    boundary.RegularFile(entry.FullName, entryRel);
                    files.Add(entryRel);
                    continue;
                }
                string real = UnixFiles.RealPath(entry.FullName)!;
                if (!boundary.Contains(real))
                    throw new InvalidDataException($"'{entryRel}' is a link to '{real}', outside the dataset folder '{boundary.Root}'; links may not leave it");
                if (seen.Add(real)) pending.Push((entry.FullName, entryRel));
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
