using System.Runtime.InteropServices;
using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Tensors;

/// <summary>The chunked copy paths, with chunks small enough that every tensor spans many of them.</summary>
public class TensorByteCopierTests
{
    public TensorByteCopierTests() => TorchRuntime.EnsureInitialized();

    static void Copy(Tensor source, Tensor destination, long chunkBytes)
    {
        byte[] raw = source.bytes.ToArray();
        IntPtr native = Marshal.AllocHGlobal(raw.Length);
        try
        {
            Marshal.Copy(raw, 0, native, raw.Length);
            TensorByteCopier.CopyFromNative(native, raw.Length, source.dtype, destination, chunkBytes);
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }

    [Theory]
    [InlineData(4L)]     // one element per chunk
    [InlineData(28L)]    // chunks that do not divide the tensor
    [InlineData(1L << 20)]
    public void ChunkedCopiesMatchAcrossPaths(long chunkBytes)
    {
        using var scope = NewDisposeScope();
        var source = torch.randn(37, 11, generator: torch.manual_seed(3));

        var same = torch.empty(37, 11);
        Copy(source, same, chunkBytes);
        Assert.True(SafetensorsTestFiles.SameBits(source, same));

        var converted = torch.empty(37, 11, dtype: ScalarType.BFloat16);
        Copy(source, converted, chunkBytes);
        Assert.True(SafetensorsTestFiles.SameBits(source.to(ScalarType.BFloat16), converted));

        var backing = torch.zeros(11, 37, dtype: ScalarType.Float64);
        Copy(source, backing.t(), chunkBytes);
        Assert.True(SafetensorsTestFiles.SameBits(source.to(ScalarType.Float64), backing.t()));

        var stream = new MemoryStream();
        TensorByteCopier.WriteTo(source.t(), stream, chunkBytes);
        Assert.Equal(source.t().contiguous().bytes.ToArray(), stream.ToArray());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TensorAbove2GiBRoundTrips()
    {
        // Tensor.bytes spans stop at 2 GiB: the reader and writer must chunk. 2 GiB + 24 bytes of uint8.
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        long n = (1L << 31) + 24;
        var big = torch.zeros(n, dtype: ScalarType.Byte);
        big[0] = 7;
        big[n - 1] = 9;
        big[1L << 30] = 5;
        string path = dir.File("big.safetensors");
        SafetensorsWriter.Save(path, [KeyValuePair.Create("big", big)]);
        big.Dispose();
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(n, file.Info("big").ByteLength);
        using var loaded = file.Load("big");
        Assert.Equal(7, loaded[0].item<byte>());
        Assert.Equal(5, loaded[1L << 30].item<byte>());
        Assert.Equal(9, loaded[n - 1].item<byte>());
        Assert.Equal(21L, loaded.sum().item<long>());
    }
}
