using System.Text.RegularExpressions;

namespace VisionGrpo.Lora;

/// <summary>
/// PEFT's <c>target_modules</c>: a list of names (a module is targeted when its full name equals an entry or
/// ends with <c>.entry</c>), one regular expression that must match the whole module name, or the shorthand
/// <c>all-linear</c> (every Linear but the output layer, resolved against the model as PEFT does). Names are the
/// Hugging Face in-memory names (<c>model.language_model.layers.0.self_attn.q_proj</c>, <c>model.visual.blocks.0.attn.qkv</c>).
/// </summary>
public sealed class LoraTargetModules
{
    readonly Regex? _regex;

    /// <summary>PEFT's <c>INCLUDE_LINEAR_LAYERS_SHORTHAND</c>, matched case-insensitively.</summary>
    public const string AllLinearShorthand = "all-linear";

    LoraTargetModules(IReadOnlyList<string>? names, string? pattern, bool allLinear = false)
    {
        Names = names;
        Pattern = pattern;
        IsAllLinear = allLinear;
        // PEFT uses re.fullmatch: anchor the whole pattern, keep alternations inside the group.
        if (pattern is not null) _regex = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// <c>all-linear</c>: every Linear module except the output layer (<c>lm_head</c>), vision tower included. It names
    /// no modules by itself: <see cref="PeftModel.Wrap"/> resolves it to the model's full module names, which is also
    /// what <c>adapter_config.json</c> then records (PEFT replaces the shorthand the same way).
    /// </summary>
    public static LoraTargetModules AllLinear { get; } = new(null, null, allLinear: true);

    /// <summary>Whether this is the <see cref="AllLinear"/> shorthand, still unresolved.</summary>
    public bool IsAllLinear { get; }

    /// <summary>
    /// PEFT's string form of <c>target_modules</c>: <c>all-linear</c> (any case) is the shorthand, anything else a
    /// full-match regular expression.
    /// </summary>
    public static LoraTargetModules FromString(string value) => IsShorthand(value) ? AllLinear : FromPattern(value);

    /// <summary>Whether <paramref name="value"/> is the <c>all-linear</c> shorthand (any case, as PEFT lower-cases it).</summary>
    public static bool IsShorthand(string value) => string.Equals(value, AllLinearShorthand, StringComparison.OrdinalIgnoreCase);

    /// <summary>The name list (null when a pattern is used). PEFT keeps it as a set; order carries no meaning.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>The full-match regular expression (null when a list is used).</summary>
    public string? Pattern { get; }

    /// <summary>A list of module names or name suffixes; duplicates are dropped, as PEFT's set does.</summary>
    public static LoraTargetModules FromNames(IEnumerable<string> names)
    {
        var list = names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) throw new ArgumentException("target_modules must name at least one module.", nameof(names));
        return new LoraTargetModules(list, null);
    }

    /// <summary>A regular expression that has to match a module's whole name.</summary>
    public static LoraTargetModules FromPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        try { return new LoraTargetModules(null, pattern); }
        catch (ArgumentException e) { throw new ArgumentException($"target_modules regex '{pattern}' is invalid: {e.Message}", nameof(pattern), e); }
    }

    /// <summary>Whether the module called <paramref name="moduleName"/> (HF in-memory name) is targeted.</summary>
    /// <exception cref="InvalidOperationException">This is <see cref="AllLinear"/>, which depends on the module's type.</exception>
    public bool Matches(string moduleName)
    {
        if (IsAllLinear)
            throw new InvalidOperationException($"target_modules '{AllLinearShorthand}' selects by module type: resolve it against the model (LoraModuleLayout.Targeted) before matching names.");
        if (_regex is not null) return _regex.IsMatch(moduleName);
        foreach (string target in Names!)
            if (moduleName == target || moduleName.EndsWith("." + target, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => IsAllLinear ? AllLinearShorthand : Pattern ?? "[" + string.Join(", ", Names!) + "]";
}
