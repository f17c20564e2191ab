namespace VisionGrpo.Training.Inputs;

/// <summary>Named system prompts (<c>system_prompt: r1</c> in a recipe, <c>--system-preset r1</c> on the CLI).</summary>
public static class SystemPrompts
{
    /// <summary>The DeepSeek-R1 style prompt of the cookbook recipe, verbatim.</summary>
    public const string R1 =
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The " +
        "assistant first thinks about the reasoning process in the mind and then provides the user with the answer. " +
        "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, " +
        "respectively, i.e., <think> reasoning process here </think><answer> answer here </answer>";

    /// <summary>Resolves a preset name (<c>r1</c>) to its text; any other value is used as the prompt itself; null/empty means none.</summary>
    public static string? Resolve(string? valueOrPreset) => valueOrPreset switch
    {
        null or "" => null,
        "r1" or "R1" => R1,
        _ => valueOrPreset,
    };
}
