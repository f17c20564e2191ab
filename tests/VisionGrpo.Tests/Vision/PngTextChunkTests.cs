using System.Buffers.Binary;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Hostile PNG text chunks (issue 18): skipped before decoding, the pixels unchanged.</summary>
public class PngTextChunkTests
{
    static readonly string Tiny = Path.Combine(ImageFixtures.Root, "images", "tiny_20x15.png");

    /// <summary><paramref name="png"/> with a <c>tEXt</c> chunk of <paramref name="textBytes"/> bytes after IHDR.</summary>
    internal static byte[] WithTextChunk(byte[] png, int textBytes)
    {
        var body = new byte[4 + textBytes];
        "tEXt"u8.CopyTo(body);
        "Comment\0"u8.CopyTo(body.AsSpan(4));
        body.AsSpan(12).Fill((byte)'a');
        var chunk = new byte[12 + textBytes];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)textBytes);
        body.CopyTo(chunk.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + textBytes), Crc(body));
        const int afterIhdr = 8 + 25;
        return [.. png.AsSpan(0, afterIhdr), .. chunk, .. png.AsSpan(afterIhdr)];
    }

    static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void A_huge_text_chunk_is_dropped_and_the_pixels_stay_the_same()
    {
        byte[] plain = File.ReadAllBytes(Tiny);
        byte[] hostile = WithTextChunk(plain, 20_000_000);
        Assert.Equal(plain, PngTextChunks.Without(hostile));
        Assert.Null(PngTextChunks.Without(plain));
        Assert.Equal(ImageDecoder.Decode(plain, "plain").Pixels, ImageDecoder.Decode(hostile, "hostile").Pixels);
    }
}
