using System.Text.RegularExpressions;
using VisionGrpo.MathVerify.Extraction;
using VisionGrpo.MathVerify.Latex;

namespace VisionGrpo.MathVerify;

/// <summary>
/// The accuracy reward of the multimodal GRPO recipe: the gold is parsed from the whole solution (first match,
/// default extractors), the answer with the recipe's LaTeX extractor; golds without a parsable answer fall back to
/// case-insensitive exact text comparison. <c>goldFromAnswerTag</c> (opt-in) parses the gold from the solution's
/// <c>&lt;answer&gt;…&lt;/answer&gt;</c> when present, fixing multiple-choice golds graded against a number from the reasoning.
/// </summary>
public static class RecipeAccuracy
{
    /// <summary>The answer extractor of the recipe (and of TRL's <c>accuracy_reward</c>): LaTeX,
    /// basic_latex+units+boxed="all", boxed first, anchors required.</summary>
    internal static IReadOnlyList<ExtractionTarget> AnswerTargets { get; } =
        [new LatexExtractionConfig(false, 0, new NormalizationConfig(BasicLatex: true, Units: true, MalformedOperators: false, Nits: false, Boxed: "all"))];

    static readonly Regex AnswerTag = new(@"<answer>(.*?)</answer>", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    static readonly Regex ChoiceLetter = new(@"(?:^|\s)\(?([A-E])\)?\.?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    static string? LastAnswerTag(string text)
    {
        var matches = AnswerTag.Matches(text);
        return matches.Count > 0 ? matches[^1].Groups[1].Value : null;
    }

    /// <summary>1.0 or 0.0 (never null: the recipe's fallback handles unparsable golds).</summary>
    /// <param name="solution">The dataset's solution text.</param>
    /// <param name="completion">The model completion.</param>
    /// <param name="goldFromAnswerTag">Parse the gold from the last <c>&lt;answer&gt;</c> block of the solution when present.</param>
    /// <param name="cancellationToken">Cancels the call (the pending parse / comparison then counts as failed).</param>
    public static double Score(string solution, string completion, bool goldFromAnswerTag = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentNullException.ThrowIfNull(completion);
        string goldText = solution, fallbackGold = solution, fallbackAnswer = completion;
        if (goldFromAnswerTag && LastAnswerTag(solution) is { } tagged)
        {
            goldText = tagged.Trim();
            fallbackGold = goldText;
            fallbackAnswer = LastAnswerTag(completion)?.Trim() ?? completion;
            // A multiple-choice answer ("C", "The correct answer is C") is graded as the letter, like a $C$ answer.
            var letter = ChoiceLetter.Match(goldText);
            if (letter.Success) goldText = "$" + letter.Groups[1].Value + "$";
        }
        var gold = MathVerifier.Parse(goldText, mode: ExtractionMode.FirstMatch, cancellationToken: cancellationToken);
        if (gold.Count == 0)
            return string.Equals(fallbackAnswer.Trim().ToLowerInvariant(), fallbackGold.Trim().ToLowerInvariant(), StringComparison.Ordinal) ? 1.0 : 0.0;
        var answer = MathVerifier.Parse(completion, AnswerTargets, mode: ExtractionMode.FirstMatch, cancellationToken: cancellationToken);
        return MathVerifier.Verify(gold, answer, cancellationToken: cancellationToken) ? 1.0 : 0.0;
    }
}
