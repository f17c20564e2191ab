using System.Globalization;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Lora;

/// <summary>
/// LoRA parameter counts from a config alone (nothing allocated): what <c>print_trainable_parameters()</c> prints
/// for <c>get_peft_model(model, lora_config)</c>. A module <c>[out, in]</c> adds <c>r·in + out·r</c>; "all params"
/// is the base count (tied head once, <see cref="ParameterCounts"/>) plus the adapters.
/// </summary>
public sealed record LoraParameterCounts(int Modules, long Trainable, long All)
{
    /// <summary>Counts for <paramref name="lora"/> on the model described by <paramref name="model"/>.</summary>
    public static LoraParameterCounts FromConfig(QwenVLConfig model, LoraConfig lora)
    {
        var targeted = LoraModuleLayout.Targeted(LoraModuleLayout.FromConfig(model), lora);
        long trainable = targeted.Sum(m => (long)lora.R * (m.InFeatures + m.OutFeatures));
        return new LoraParameterCounts(targeted.Count, trainable, ParameterCounts.FromConfig(model).Total + trainable);
    }

    /// <summary>PEFT's line: <c>trainable params: 1,843,200 || all params: 3,756,466,176 || trainable%: 0.0491</c>.</summary>
    public static string Line(long trainable, long all) => string.Format(CultureInfo.InvariantCulture,
        "trainable params: {0:N0} || all params: {1:N0} || trainable%: {2:F4}", trainable, all, all == 0 ? 0.0 : 100.0 * trainable / all);

    /// <summary>This count as PEFT's line.</summary>
    public string TrainableParametersLine => Line(Trainable, All);
}
