namespace VisionGrpo.Training.Inputs;

/// <summary>
/// TRL 0.20's <c>truncate_with_protected_tokens</c> for one row: keep every protected token
/// (image pads, vision start/end) wherever it is, plus the rightmost <c>maxLength − #protected</c> other tokens, in
/// their original order. So the system prompt is cut first and image tokens always still match the pixels.
/// </summary>
internal static class ProtectedTruncation
{
    /// <summary>Returns <paramref name="ids"/> unchanged when short enough, otherwise the truncated row.</summary>
    /// <exception cref="ArgumentException">The protected tokens alone exceed <paramref name="maxLength"/>.</exception>
    public static int[] Truncate(IReadOnlyList<int> ids, int maxLength, IReadOnlySet<int> protectedIds)
    {
        if (maxLength <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "max_prompt_length must be positive.");
        if (ids.Count <= maxLength) return ids.ToArray();
        int protectedCount = ids.Count(protectedIds.Contains);
        if (protectedCount > maxLength)
            throw new ArgumentException(
                $"the prompt's image alone needs {protectedCount} tokens, more than max_prompt_length = {maxLength}; " +
                "raise max_prompt_length or lower max_pixels so images take fewer tokens.");
        int keepOthers = maxLength - protectedCount;
        var keep = new bool[ids.Count];
        for (int i = ids.Count - 1, others = 0; i >= 0; i--)
        {
            if (protectedIds.Contains(ids[i])) keep[i] = true;
            else if (others < keepOthers) { keep[i] = true; others++; }
        }
        return ids.Where((_, i) => keep[i]).ToArray();
    }
}
