namespace VisionGrpo.Training.Inputs;

/// <summary>How dataset rows become prompts (see <see cref="PromptBuilder"/>).</summary>
/// <param name="SystemPrompt">Text put before each problem as the system turn (null: none; <see cref="SystemPrompts.R1"/> is the cookbook's).</param>
/// <param name="PromptColumn">The column holding the problem text.</param>
/// <param name="ImageColumn">The column holding the image(s); null for text-only data.</param>
/// <param name="MaxPromptLength">Left-truncate the prompt text to this many tokens, never cutting image tokens (null: no limit).</param>
/// <param name="ChatTemplateKwargs">Extra chat template variables.</param>
public sealed record PromptOptions(string? SystemPrompt = null, string PromptColumn = "problem", string? ImageColumn = "image",
    int? MaxPromptLength = null, IReadOnlyDictionary<string, string>? ChatTemplateKwargs = null);
