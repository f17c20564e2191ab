using System.Buffers.Binary;

namespace VisionGrpo.Vision;

/// <summary>
/// Removes a PNG's text chunks (<c>tEXt</c>, <c>zTXt</c>, <c>iTXt</c>) before decoding. libpng parses every chunk
/// before the first <c>IDAT</c>, even just to read the size, and a 20 MB comment took it 30 s (hostile input);
/// Pillow's <c>convert("RGB")</c> never uses the text, so the pixels are the same without it. Other chunks
/// (<c>PLTE</c>, <c>tRNS</c>, <c>eXIf</c>, …) are kept.
/// </summary>
internal static class PngTextChunks
{
    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A copy of <paramref name="png"/> without its text chunks, or null when it is not a PNG or has none.</summary>
    public static byte[]? Without(ReadOnlySpan<byte> png)
    {
        if (!png.StartsWith(Signature)) return null;
        var keep = new List<(int Start, int End)>();
        int pos = Signature.Length, kept = 0;
        while (pos + 12 <= png.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > png.Length - pos - 12) break; // truncated: the decoder reports it
            var type = png.Slice(pos + 4, 4);
            int next = pos + 12 + (int)length;
            if (type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8))
            {
                keep.Add((kept, pos));
                kept = next;
            }
            pos = next;
            if (type.SequenceEqual("IEND"u8)) break;
        }
        if (keep.Count == 0) return null;
        keep.Add((kept, png.Length));
        var copy = new byte[keep.Sum(r => r.End - r.Start)];
        int at = 0;
        foreach (var (start, end) in keep)
        {
            png[start..end].CopyTo(copy.AsSpan(at));
            at += end - start;
        }
        return copy;
    }
}
