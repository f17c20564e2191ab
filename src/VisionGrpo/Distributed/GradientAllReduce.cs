using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Distributed;

/// <summary>
/// Data-parallel gradient averaging with one bucket: every trainable gradient is flattened into a single float32
/// buffer, summed over the ranks with one <c>MPI_Allreduce</c>, divided by the number of ranks and copied back — one
/// collective per optimizer step instead of one per parameter (LoRA adapters are small, so the whole bucket is a few
/// MB at most). A parameter with no gradient on some rank (it took no backward pass this step) counts as zeros there.
/// </summary>
public static class GradientAllReduce
{
    /// <summary>
    /// Replaces each parameter's gradient by its mean over the ranks of <paramref name="comm"/>; returns the bytes
    /// this rank contributed (0 with one rank, where nothing is done).
    /// </summary>
    public static long Average(ICommunicator comm, IReadOnlyList<Tensor> parameters)
    {
        if (comm.Size == 1 || parameters.Count == 0) return 0;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var flat = FlatBucket.Pack(parameters.Select(p => p.grad ?? torch.zeros_like(p)));
        comm.AllReduceSum(MemoryMarshal.Cast<byte, float>(flat.bytes));
        flat.div_(comm.Size);
        foreach (var (p, mean) in FlatBucket.Unpack(flat, parameters))
        {
            if (p.grad is { } grad) grad.copy_(mean);
            else p.grad = mean.to(p.dtype, p.device, copy: true).MoveToOuterDisposeScope();
        }
        return flat.numel() * sizeof(float);
    }
}
