using System.Globalization;

namespace VisionGrpo.Lora;

/// <summary>
/// Refuses a LoRA rank whose adapters cannot fit in memory before libtorch is asked to allocate them: a typo such as
/// <c>lora_r: 100000000</c>, or an adapter_config.json with <c>r: 1000000000</c>, otherwise dies inside libtorch with
/// a raw allocation trace.
/// </summary>
internal static class LoraMemoryCheck
{
    /// <exception cref="ArgumentException">The adapters of <paramref name="targeted"/> at rank r need more than the machine's memory.</exception>
    public static void ThrowIfTooLarge(IReadOnlyList<LoraModuleLayout.Entry> targeted, LoraConfig config)
    {
        // float32 A and B: r·(in + out) values per module (double: no overflow for any int rank).
        double bytes = targeted.Where(m => m.IsLinear).Sum(m => (double)config.R * (m.InFeatures + m.OutFeatures)) * sizeof(float);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes <= available) return;
        long widest = targeted.Where(m => m.IsLinear).Select(m => Math.Min(m.InFeatures, m.OutFeatures)).DefaultIfEmpty(0).Max();
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"LoRA r = {config.R} needs {bytes / 1e9:G3} GB for the adapter weights of {targeted.Count} modules alone, more than the " +
            $"{available / 1e9:G3} GB of memory available; lower the rank (lora_r, or r in adapter_config.json: a rank above " +
            $"min(in, out) = {widest} of the targeted layers adds nothing)."));
    }
}
