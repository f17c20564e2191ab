using VisionGrpo.MathVerify;
using VisionGrpo.MathVerify.Extraction;

namespace VisionGrpo.Parity.MathVerify;

/// <summary>
/// TRL's <c>accuracy_reward</c> (and <c>reasoning_accuracy_reward</c> with delimiters): gold parsed with defaults,
/// answer with the recipe's LaTeX config in first-match mode; null when the gold parses to nothing.
/// </summary>
internal static class TrlAccuracy
{
    /// <summary>1.0 / 0.0, or null when the gold has no parsable answer.</summary>
    /// <param name="solution">Gold solution text.</param>
    /// <param name="completion">Model completion.</param>
    /// <param name="reasoningDelimiters">When given, only the text after the last delimiter is scored (0.0 if absent).</param>
    public static double? Score(string solution, string completion, IReadOnlyList<string>? reasoningDelimiters = null)
    {
        var gold = MathVerifier.Parse(solution, timeout: TimeSpan.FromSeconds(10));
        if (gold.Count == 0) return null;
        if (reasoningDelimiters is { Count: > 0 })
        {
            int best = -1; string? delim = null;
            foreach (var d in reasoningDelimiters)
            {
                int i = completion.LastIndexOf(d, StringComparison.Ordinal);
                if (i > best) { best = i; delim = d; }
            }
            if (delim == null) return 0.0;
            completion = completion[(best + delim.Length)..];
        }
        var answer = MathVerifier.Parse(completion, RecipeAccuracy.AnswerTargets, mode: ExtractionMode.FirstMatch, timeout: TimeSpan.FromSeconds(10));
        return MathVerifier.Verify(gold, answer) ? 1.0 : 0.0;
    }
}
