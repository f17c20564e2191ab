namespace VisionGrpo.MathVerify.Latex;

/// <summary>Extracts <c>\boxed{…}</c> / <c>\fbox{…}</c> contents right-to-left ("all" or "last" joining rules).</summary>
internal static class BoxedExtractor
{
    public static string Extract(string text, bool lastOnly)
    {
        var results = new List<string>();
        int currentPos = text.Length, maxPos = text.Length;
        int? lastBoxedStart = null;
        while (true)
        {
            int boxedIdx = RFind(text, "\\boxed", currentPos);
            int fboxIdx = RFind(text, "\\fbox", currentPos);
            if (boxedIdx < 0 && fboxIdx < 0) break;
            int start = Math.Max(boxedIdx, fboxIdx);
            int commandEnd = start + (boxedIdx > fboxIdx ? 6 : 5);
            int next = commandEnd;
            while (next < maxPos && char.IsWhiteSpace(text[next])) next++;
            if (next >= maxPos) break;
            if (text[next] == '{')
            {
                int close = FindClose(text, next, maxPos);
                if (close < 0)
                {
                    if (results.Count == 0) results.Add(text[next..]);
                    break;
                }
                string content = text[(next + 1)..close].Trim();
                if (lastOnly && lastBoxedStart is int lbs && !ShouldExtract(text, content, results.Count > 0 ? results[^1] : "", close, lbs)) break;
                results.Add(content);
                lastBoxedStart = start;
                maxPos = start;
            }
            else
            {
                if (results.Count == 0) results.Add(text[next..]);
                break;
            }
            currentPos = start;
        }
        if (results.Count == 0) return text;
        results.Reverse();
        return string.Join(",", results);
    }

    /// <summary>Python's <c>text.rfind(needle, 0, end)</c>: the needle must end at or before <paramref name="end"/>.</summary>
    static int RFind(string text, string needle, int end)
    {
        int last = end - needle.Length;
        if (last < 0) return -1;
        return text.LastIndexOf(needle, last + needle.Length - 1, last + needle.Length, StringComparison.Ordinal);
    }

    static int FindClose(string text, int open, int maxPos)
    {
        int depth = 1;
        for (int i = open + 1; i < maxPos; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        return -1;
    }

    static bool ShouldExtract(string text, string boxed, string nextBoxed, int boxedEnd, int nextStart)
    {
        string between = boxedEnd + 1 <= nextStart ? text[(boxedEnd + 1)..nextStart] : "";
        if (between.Length < 10) return true;
        // 1.10.2 tests the separators as plain substrings ("and" inside "band" counts).
        return nextBoxed != boxed && between.Length < 70 &&
               (between.Contains("and", StringComparison.Ordinal) || between.Contains("or", StringComparison.Ordinal) || between.Contains(',') || between.Contains(';'));
    }
}
