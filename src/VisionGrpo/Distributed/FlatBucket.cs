using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Distributed;

/// <summary>
/// Many tensors as one contiguous float32 CPU buffer, the form a single MPI collective sends (gradient averaging,
/// the start-of-run parameter broadcast), and the way back to each tensor's own shape.
/// </summary>
internal static class FlatBucket
{
    /// <summary>The values of <paramref name="tensors"/>, flattened and concatenated in order, as float32 on the CPU.</summary>
    public static Tensor Pack(IEnumerable<Tensor> tensors) =>
        torch.cat(tensors.Select(t => t.detach().flatten().to(ScalarType.Float32).cpu()).ToArray()).contiguous();

    /// <summary>The piece of <paramref name="flat"/> that belongs to each of <paramref name="owners"/> (packed in that order), viewed in its shape.</summary>
    public static IEnumerable<(Tensor Owner, Tensor Piece)> Unpack(Tensor flat, IEnumerable<Tensor> owners)
    {
        long offset = 0;
        foreach (var owner in owners)
        {
            long n = owner.numel();
            yield return (owner, flat.narrow(0, offset, n).view(owner.shape));
            offset += n;
        }
    }
}
