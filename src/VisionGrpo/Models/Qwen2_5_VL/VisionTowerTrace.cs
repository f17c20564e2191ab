using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// Intermediates of one vision-tower forward, named like the reference fixture's <c>vision.*</c> tensors, for
/// parity tests and debugging. Tensors are detached copies owned by the caller's dispose scope.
/// </summary>
internal sealed class VisionTowerTrace
{
    /// <summary>Patch embedding output in <c>pixel_values</c> order.</summary>
    public Tensor? PatchEmbed { get; private set; }

    /// <summary>Per-patch rotary angles before the window permutation.</summary>
    public Tensor? RotaryFreqs { get; private set; }

    /// <summary>Window permutation and segment boundaries (null for towers without window attention).</summary>
    public VisionWindowLayout? Layout { get; private set; }

    /// <summary>Output of every block, rows in window order (in <c>pixel_values</c> order without windows).</summary>
    public List<Tensor> BlockOutputs { get; } = [];

    /// <summary>Merger output before the inverse permutation (the tower output without windows).</summary>
    public Tensor? MergerOutputWindowOrder { get; private set; }

    internal void Record(Tensor patchEmbed, Tensor rotaryFreqs, VisionWindowLayout? layout)
    {
        PatchEmbed = Keep(patchEmbed);
        RotaryFreqs = Keep(rotaryFreqs);
        Layout = layout;
    }

    internal void SetMergerOutput(Tensor merged) => MergerOutputWindowOrder = Keep(merged);

    static Tensor Keep(Tensor t) => t.detach().clone().MoveToOuterDisposeScope();
}
