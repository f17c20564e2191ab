using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen3_VL;

/// <summary>
/// Intermediates of one Qwen3-VL vision-tower forward, named like the reference fixture's <c>vision.*</c> tensors,
/// for parity tests and debugging. Tensors are detached copies owned by the caller's dispose scope.
/// </summary>
internal sealed class Qwen3VLVisionTrace
{
    /// <summary>Patch embedding output (bias included) in <c>pixel_values</c> order.</summary>
    public Tensor? PatchEmbed { get; private set; }
    /// <summary>Interpolated position embeddings in <c>pixel_values</c> order.</summary>
    public Tensor? PosEmbeds { get; private set; }
    /// <summary>Per-patch rotary angles <c>[patches, head_dim/2]</c>.</summary>
    public Tensor? RotaryFreqs { get; private set; }
    /// <summary>Output of every block.</summary>
    public List<Tensor> BlockOutputs { get; } = [];

    internal void RecordEmbeddings(Tensor patchEmbed, Tensor posEmbeds)
    {
        PatchEmbed = Keep(patchEmbed);
        PosEmbeds = Keep(posEmbeds);
    }

    internal void RecordRotary(Tensor freqs) => RotaryFreqs = Keep(freqs);

    static Tensor Keep(Tensor t) => t.detach().clone().MoveToOuterDisposeScope();
}
