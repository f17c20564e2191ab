using VisionGrpo.Formats;
using VisionGrpo.Generation;

namespace VisionGrpo.Training.Evaluation;

/// <summary>One scored completion of an evaluation run.</summary>
public sealed record EvaluationSample
{
    /// <summary>Index of the prompt row in the evaluated dataset.</summary>
    public required int RowIndex { get; init; }
    /// <summary>Which of the row's generations this is (0 … G−1).</summary>
    public required int SampleIndex { get; init; }
    /// <summary>The chat-templated prompt text (what the reward functions received).</summary>
    public required string Prompt { get; init; }
    /// <summary>The completion text (special tokens skipped).</summary>
    public required string Completion { get; init; }
    /// <summary>Completion token ids (EOS included when it stopped on one).</summary>
    public required int[] CompletionIds { get; init; }
    /// <summary>Raw (unweighted) value of each reward function by name; null = the function returned None.</summary>
    public required IReadOnlyDictionary<string, double?> Rewards { get; init; }
    /// <summary>Weighted sum of the non-None rewards (NaN when every function returned None), as TRL 1.9 sums them.</summary>
    public required double Reward { get; init; }
    /// <summary>Why generation stopped.</summary>
    public required FinishReason FinishReason { get; init; }

    /// <summary>Number of completion tokens.</summary>
    public int CompletionTokens => CompletionIds.Length;

    /// <summary>One JSON line in Python's <c>json.dumps</c> layout (rewards as an object, None as <c>null</c>).</summary>
    public string ToJsonLine() => PythonJson.Serialize(new Dictionary<string, object?>
    {
        ["row"] = RowIndex,
        ["sample"] = SampleIndex,
        ["prompt"] = Prompt,
        ["completion"] = Completion,
        ["completion_tokens"] = CompletionTokens,
        ["rewards"] = Rewards.Select(kv => KeyValuePair.Create(kv.Key, (object?)kv.Value)).ToList(),
        ["reward"] = double.IsNaN(Reward) ? null : Reward, // None, as TRL logs a value with nothing valid
        ["finish_reason"] = FinishReason == FinishReason.Eos ? "eos" : "length",
    });
}
