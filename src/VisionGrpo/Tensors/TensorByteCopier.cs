using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Tensors;

/// <summary>
/// Moves raw little-endian tensor bytes between native memory (a mapped file) or streams and TorchSharp tensors in
/// bounded chunks: <see cref="Tensor.bytes"/> spans stop at 2 GiB, and dtype conversion or device transfer goes
/// through one reusable staging chunk instead of a second full-size tensor.
/// </summary>
internal static class TensorByteCopier
{
    /// <summary>Bytes per chunk: large enough to keep memcpy at full speed, small enough to bound staging memory.</summary>
    public const long ChunkBytes = 64L << 20;

    /// <summary>
    /// Chunk size when the source pages are released after each chunk: the unreleased chunk is what the peak
    /// resident memory exceeds the loaded weights by, and 2 MiB still copies at memcpy speed.
    /// </summary>
    public const long ReleaseChunkBytes = 2L << 20;

    /// <summary>
    /// Fills <paramref name="destination"/> from <paramref name="byteLength"/> bytes at <paramref name="source"/>,
    /// interpreted as a C-order tensor of <paramref name="sourceType"/> with the destination's element count. With
    /// <paramref name="releaseMappedSource"/> (only for a read-only file mapping) each copied chunk's pages are
    /// dropped from the resident set (<see cref="MappedPages"/>).
    /// </summary>
    public static unsafe void CopyFromNative(byte* source, long byteLength, ScalarType sourceType, Tensor destination,
        long chunkBytes = ChunkBytes, bool releaseMappedSource = false)
    {
        long numel = destination.numel();
        if (numel == 0) return;
        using var noGrad = torch.no_grad();
        if (!destination.is_contiguous())
        {
            // Rare (a strided view); fill a contiguous twin and let libtorch scatter it.
            using var twin = torch.empty(destination.shape, destination.dtype, destination.device);
            CopyFromNative(source, byteLength, sourceType, twin, chunkBytes, releaseMappedSource);
            destination.copy_(twin);
            return;
        }

        using var flat = destination.view(-1);
        bool direct = destination.device_type == DeviceType.CPU && destination.dtype == sourceType;
        long elementSize = byteLength / numel;
        if (releaseMappedSource) chunkBytes = Math.Min(chunkBytes, ReleaseChunkBytes);
        long chunkElements = Math.Max(1, chunkBytes / elementSize);
        using var staging = direct ? null : torch.empty(Math.Min(numel, chunkElements), sourceType, torch.CPU);
        for (long start = 0; start < numel; start += chunkElements)
        {
            long count = Math.Min(chunkElements, numel - start);
            var bytes = new ReadOnlySpan<byte>(source + start * elementSize, checked((int)(count * elementSize)));
            using var target = flat.narrow(0, start, count);
            if (direct)
            {
                bytes.CopyTo(target.bytes);
            }
            else
            {
                using var stage = staging!.narrow(0, 0, count);
                bytes.CopyTo(stage.bytes);
                target.copy_(stage);
            }
            if (releaseMappedSource) MappedPages.Release(source + start * elementSize, count * elementSize);
        }
    }

    /// <summary><see cref="CopyFromNative(byte*, long, ScalarType, Tensor, long, bool)"/> for callers without unsafe code.</summary>
    public static unsafe void CopyFromNative(IntPtr source, long byteLength, ScalarType sourceType, Tensor destination,
        long chunkBytes = ChunkBytes) =>
        CopyFromNative((byte*)source, byteLength, sourceType, destination, chunkBytes);

    /// <summary>Writes the tensor's raw bytes (C order, little-endian) to <paramref name="stream"/>.</summary>
    public static void WriteTo(Tensor tensor, Stream stream, long chunkBytes = ChunkBytes)
    {
        long numel = tensor.numel();
        if (numel == 0) return;
        using var scope = torch.NewDisposeScope();
        Tensor cpu = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        Tensor flat = cpu.contiguous().view(-1);
        long elementSize = flat.element_size();
        long chunkElements = Math.Max(1, chunkBytes / elementSize);
        for (long start = 0; start < numel; start += chunkElements)
        {
            using var part = flat.narrow(0, start, Math.Min(chunkElements, numel - start));
            stream.Write(part.bytes);
        }
    }
}
