using VisionGrpo.Models.Qwen2_5_VL;

namespace VisionGrpo.Generation;

/// <summary>
/// Applies a saved adapter (a PEFT LoRA folder) to a loaded model before generation; implemented by the LoRA area so
/// that generation does not depend on it.
/// </summary>
public interface IModelAdapterLoader
{
    /// <summary>Loads the adapter in <paramref name="adapterDir"/> into <paramref name="model"/> (in place).</summary>
    void Apply(Qwen2_5_VLForConditionalGeneration model, string adapterDir);
}
