namespace VisionGrpo.Recipes;

/// <summary>
/// Marks a <see cref="RecipeConfig"/> property as a configuration key. The name is the TRL/PEFT/TrainingArguments
/// snake_case name users already know; aliases cover the other spelling of the same option (e.g. PEFT's
/// <c>r</c> for TRL's <c>lora_r</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigKeyAttribute(string name, string group, string help) : Attribute
{
    /// <summary>Canonical snake_case key.</summary>
    public string Name { get; } = name;
    /// <summary>Section the key is printed under (script, model, lora, training, grpo, generation, logging).</summary>
    public string Group { get; } = group;
    /// <summary>One-line description.</summary>
    public string Help { get; } = help;
    /// <summary>Other accepted spellings.</summary>
    public string[] Aliases { get; init; } = [];
}
