using System.Buffers;

namespace VisionGrpo.Text;

/// <summary>
/// Cuts a text into runs of plain text and added-token matches, leftmost-longest as the Hugging Face
/// <c>AddedVocabulary</c> does, so that e.g. <c>&lt;|im_start|&gt;</c> is never seen by the BPE model.
/// </summary>
internal sealed class AddedTokenSplitter
{
    /// <summary>A piece of the input: plain text (<see cref="Token"/> null) or one added token.</summary>
    internal readonly record struct Segment(int Start, int Length, AddedToken? Token);

    readonly Dictionary<char, AddedToken[]> byFirstChar;
    readonly SearchValues<char> firstChars;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        // Longest first within a first character gives leftmost-longest matching with a simple scan.
        byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create(byFirstChar.Keys.ToArray());
    }

    public List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        int plainStart = 0, pos = 0;
        while (pos < text.Length)
        {
            int next = text.AsSpan(pos).IndexOfAny(firstChars);
            if (next < 0) break;
            pos += next;
            var match = MatchAt(text, pos);
            if (match is null) { pos++; continue; }

            int start = pos, end = pos + match.Content.Length;
            if (match.LStrip)
                while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (match.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) segments.Add(new Segment(plainStart, start - plainStart, null));
            segments.Add(new Segment(start, end - start, match));
            plainStart = pos = end;
        }
        if (plainStart < text.Length) segments.Add(new Segment(plainStart, text.Length - plainStart, null));
        return segments;
    }

    AddedToken? MatchAt(string text, int pos)
    {
        foreach (var token in byFirstChar[text[pos]])
        {
            if (string.CompareOrdinal(text, pos, token.Content, 0, token.Content.Length) != 0) continue;
            if (token.SingleWord && !IsWordBoundary(text, pos, pos + token.Content.Length)) continue;
            return token;
        }
        return null;
    }

    static bool IsWordBoundary(string text, int start, int end) =>
        (start == 0 || !char.IsLetterOrDigit(text[start - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]));
}
