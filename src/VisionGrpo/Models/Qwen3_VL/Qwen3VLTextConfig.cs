using System.Text.Json;
using VisionGrpo.Models.Qwen2;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// Reads the Qwen3 decoder of a Qwen3-VL <c>config.json</c> (hub layout: nested <c>text_config</c> with explicit
/// <c>head_dim</c>, <c>rope_theta</c> and <c>rope_scaling.mrope_section</c>) into the shared decoder config.
/// </summary>
public static class Qwen3VLTextConfig
{
    /// <summary>transformers' default <c>mrope_section</c> of Qwen3-VL when <c>rope_scaling</c> gives none.</summary>
    public static readonly int[] DefaultMropeSection = [24, 20, 20];

    /// <summary>transformers' default <c>rope_theta</c> of Qwen3-VL.</summary>
    public const double DefaultRopeTheta = 5_000_000;

    /// <summary>
    /// Qwen2's reader for the shared keys, then what Qwen3 changes: <c>attention_bias</c> (default false) on all four
    /// projections, q/k norms, interleaved M-RoPE (always: transformers' Qwen3-VL rotary applies it whatever the
    /// flag says) with the default section when none is given, and <c>rope_theta</c> 5e6 by default.
    /// </summary>
    public static Qwen2TextConfig FromJson(JsonElement root, string source)
    {
        JsonElement? top = root;
        var textJson = ConfigJson.Object("text_config", top)
            ?? throw new InvalidDataException($"{source}: model_type qwen3_vl needs a 'text_config' object (the hub layout).");
        var text = Qwen2TextConfig.FromJson(root, source);
        bool bias = ConfigJson.Bool(source, "attention_bias", false, textJson, top);
        var rope = ConfigJson.Object("rope_scaling", textJson, top) ?? ConfigJson.Object("rope_parameters", textJson, top);
        bool hasTheta = ConfigJson.Find("rope_theta", rope, textJson, top) is not null;
        if (text.MropeSection is null && DefaultMropeSection.Sum() != text.HeadDim / 2)
            throw new InvalidDataException($"{source}: text_config.rope_scaling.mrope_section is missing and the default [24, 20, 20] does not fit head_dim {text.HeadDim}.");
        return text with
        {
            QkvBias = bias,
            OutputBias = bias,
            QkNorm = true,
            MropeSection = text.MropeSection ?? DefaultMropeSection,
            MropeInterleaved = true,
            RopeTheta = hasTheta ? text.RopeTheta : DefaultRopeTheta,
        };
    }
}
