using VisionGrpo.Models;

namespace VisionGrpo.Lora;

/// <summary>
/// The Linear (and Conv3d) modules a config produces, with their shapes, under the names the model registers —
/// derived from the config alone so parameter counts need no allocation. Mirrors the module tree of
/// <see cref="QwenVLForConditionalGeneration"/> (the vision part comes from the family's
/// <see cref="VisionTowerConfig.Modules"/>); a test checks the two agree on each tiny model.
/// </summary>
internal static class LoraModuleLayout
{
    /// <summary>A module that a <c>target_modules</c> entry can hit.</summary>
    /// <param name="Name">Registered (original hub) module name.</param>
    /// <param name="InFeatures">Input width.</param>
    /// <param name="OutFeatures">Output width.</param>
    /// <param name="IsLinear">False for the patch embedding's Conv3d, which LoRA here cannot wrap.</param>
    public sealed record Entry(string Name, long InFeatures, long OutFeatures, bool IsLinear = true);

    /// <summary>Every Linear of the model built from <paramref name="config"/>, plus the patch-embedding Conv3d.</summary>
    public static IEnumerable<Entry> FromConfig(QwenVLConfig config)
    {
        var t = config.Text;
        if (config.Vision is { } v)
            foreach (var m in v.Modules())
                yield return new Entry("visual." + m.Name, m.InFeatures, m.OutFeatures, m.IsLinear);
        for (int i = 0; i < t.NumHiddenLayers; i++)
        {
            string p = $"model.layers.{i}.";
            yield return new Entry(p + "self_attn.q_proj", t.HiddenSize, t.QueryWidth);
            yield return new Entry(p + "self_attn.k_proj", t.HiddenSize, t.KeyValueWidth);
            yield return new Entry(p + "self_attn.v_proj", t.HiddenSize, t.KeyValueWidth);
            yield return new Entry(p + "self_attn.o_proj", t.QueryWidth, t.HiddenSize);
            yield return new Entry(p + "mlp.gate_proj", t.HiddenSize, t.IntermediateSize);
            yield return new Entry(p + "mlp.up_proj", t.HiddenSize, t.IntermediateSize);
            yield return new Entry(p + "mlp.down_proj", t.IntermediateSize, t.HiddenSize);
        }
        if (!t.TieWordEmbeddings) yield return new Entry("lm_head", t.HiddenSize, t.VocabSize);
    }

    /// <summary>
    /// The entries <paramref name="config"/> targets, validated as PEFT validates: a matched module that LoRA cannot
    /// wrap is an error, and so is a target list that matches nothing. <c>all-linear</c> takes every Linear but <c>lm_head</c>.
    /// </summary>
    public static IReadOnlyList<Entry> Targeted(IEnumerable<Entry> modules, LoraConfig config)
    {
        // all-linear as PEFT resolves it: every Linear except the output embedding (lm_head, when it is its own module).
        var hits = config.TargetModules.IsAllLinear
            ? modules.Where(m => m.IsLinear && m.Name != "lm_head").ToList()
            : modules.Where(m => config.TargetModules.Matches(LoraKeys.ToHf(m.Name))).ToList();
        if (hits.Count == 0)
            throw new ArgumentException($"Target modules {config.TargetModules} not found in the base model. Please check the target modules and try again.");
        foreach (var m in hits)
        {
            if (!m.IsLinear)
                throw new NotSupportedException($"Target module {LoraKeys.ToHf(m.Name)} is not supported: only Linear layers can carry a LoRA adapter here.");
            // The model computes logits straight from the head's weight (chunked), never through the module.
            if (m.Name == "lm_head")
                throw new NotSupportedException("Target module lm_head is not supported: the model reads its weight directly, so a LoRA on it would never run.");
        }
        return hits;
    }
}
