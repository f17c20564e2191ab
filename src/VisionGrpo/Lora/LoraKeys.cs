using VisionGrpo.Models;

namespace VisionGrpo.Lora;

/// <summary>
/// Names of LoRA modules and tensors. The model registers the original hub names (<c>model.layers.*</c>,
/// <c>visual.*</c>, see <see cref="WeightLoader"/>); PEFT matches targets against, and saves keys under, the
/// transformers ≥ 4.52 in-memory names (<c>model.language_model.layers.*</c>, <c>model.visual.*</c>).
/// Saved keys: <c>base_model.model.</c> + HF name + <c>.lora_A.weight</c> (no adapter name). Reading accepts both
/// layouts by canonicalizing through <see cref="WeightLoader.Canonicalize"/>.
/// </summary>
internal static class LoraKeys
{
    /// <summary>Prefix PEFT puts before every saved module path (<c>PeftModel.base_model.model</c>).</summary>
    public const string Prefix = "base_model.model.";

    /// <summary>PEFT's adapter name, present in in-memory parameter names only.</summary>
    public const string AdapterName = "default";

    /// <summary>HF in-memory name (transformers ≥ 4.52) of a module the model registers as <paramref name="canonical"/>.</summary>
    public static string ToHf(string canonical) => WeightLoader.ToLanguageModelLayout(canonical);

    /// <summary>Saved key of the A (<paramref name="isA"/>) or B matrix of module <paramref name="canonical"/>.</summary>
    public static string SavedKey(string canonical, bool isA) => $"{Prefix}{ToHf(canonical)}.lora_{(isA ? "A" : "B")}.weight";

    /// <summary>PEFT's in-memory parameter name (<c>….lora_A.default.weight</c>).</summary>
    public static string InMemoryName(string canonical, bool isA) =>
        $"{Prefix}{ToHf(canonical)}.lora_{(isA ? "A" : "B")}.{AdapterName}.weight";

    /// <summary>
    /// Splits a saved key of either layout into the canonical module name and which matrix it holds; null when the
    /// key is not a LoRA A/B weight (an adapter name before <c>.weight</c> is tolerated).
    /// </summary>
    public static (string Module, bool IsA)? Parse(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        string rest = key[Prefix.Length..];
        foreach (bool isA in new[] { true, false })
        {
            string marker = isA ? ".lora_A." : ".lora_B.";
            int at = rest.LastIndexOf(marker, StringComparison.Ordinal);
            if (at <= 0) continue;
            string tail = rest[(at + marker.Length)..];
            if (tail != "weight" && tail != AdapterName + ".weight") return null;
            return (WeightLoader.Canonicalize(rest[..at]), isA);
        }
        return null;
    }
}
