namespace VisionGrpo.Data.Synthetic;

/// <summary>One generated problem, with the real dataset's columns and the exact answer.</summary>
/// <param name="Task">Template name (count_dots, tallest_bar, digit_sum, clock_hour).</param>
/// <param name="Image">PNG bytes.</param>
/// <param name="Problem">The prompt shown to the model.</param>
/// <param name="Solution"><c>&lt;think&gt;…&lt;/think&gt;\n\n&lt;answer&gt;X&lt;/answer&gt;</c>.</param>
/// <param name="OriginalQuestion">The question as a source dataset would phrase it.</param>
/// <param name="OriginalAnswer">The worked answer ending in <c>The answer is X</c>.</param>
/// <param name="Answer">The gold answer (a small integer, as text).</param>
public sealed record SynthExample(string Task, byte[] Image, string Problem, string Solution, string OriginalQuestion, string OriginalAnswer, string Answer)
{
    /// <summary>Builds the text columns in the real data's style from the reasoning lines and the answer.</summary>
    public static SynthExample Create(string task, byte[] image, string problem, string originalQuestion, IReadOnlyList<string> reasoning, int answer)
    {
        string a = answer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string solution = $"<think>\n{string.Join("\n", reasoning)}\n</think>\n\n<answer>{a}</answer>";
        string original = $"{string.Join(" ", reasoning)} The answer is {a}";
        return new SynthExample(task, image, problem, solution, originalQuestion, original, a);
    }
}
