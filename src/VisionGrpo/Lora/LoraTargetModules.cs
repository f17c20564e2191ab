using System.Text.RegularExpressions;

namespace VisionGrpo.Lora;

/// <summary>
/// PEFT's <c>target_modules</c>: either a list of names (a module is targeted when its full name equals an entry or
/// ends with <c>.entry</c>) or one regular expression that must match the whole module name. Names are the
/// Hugging Face in-memory names (<c>model.language_model.layers.0.self_attn.q_proj</c>, <c>model.visual.blocks.0.attn.qkv</c>).
/// </summary>
public sealed class LoraTargetModules
{
    readonly Regex? _regex;

    LoraTargetModules(IReadOnlyList<string>? names, string? pattern)
    {
        Names = names;
        Pattern = pattern;
        // PEFT uses re.fullmatch: anchor the whole pattern, keep alternations inside the group.
        if (pattern is not null) _regex = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant);
    }

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
    public bool Matches(string moduleName)
    {
        if (_regex is not null) return _regex.IsMatch(moduleName);
        foreach (string target in Names!)
            if (moduleName == target || moduleName.EndsWith("." + target, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern ?? "[" + string.Join(", ", Names!) + "]";
}
