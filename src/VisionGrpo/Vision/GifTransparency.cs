namespace VisionGrpo.Vision;

/// <summary>Pillow opens a GIF's first frame as a palette ("P") image and <c>convert("RGB")</c> then gives the
/// transparent index its palette colour; Skia would decode it as transparent black. Clearing the transparency flag of
/// the first frame's Graphic Control Extension before decoding makes Skia return the palette colour too.</summary>
internal static class GifTransparency
{
    /// <summary>A copy of <paramref name="gif"/> with the first frame's transparency flag cleared, or null when the
    /// data is not a GIF or has no such flag (then the bytes are decoded as they are).</summary>
    public static byte[]? WithoutFirstFrameTransparency(ReadOnlySpan<byte> gif)
    {
        if (gif.Length < 13 || !(gif.StartsWith("GIF87a"u8) || gif.StartsWith("GIF89a"u8))) return null;
        int pos = 13; // header (6) + logical screen descriptor (7)
        if ((gif[10] & 0x80) != 0) pos += 3 << ((gif[10] & 0x07) + 1); // global colour table
        while (pos + 1 < gif.Length)
        {
            if (gif[pos] == 0x2C || gif[pos] == 0x3B) return null; // first image (or trailer) reached: no flag before it
            if (gif[pos] != 0x21) return null;                      // malformed: let the decoder report it
            byte label = gif[pos + 1];
            if (label == 0xF9 && pos + 3 < gif.Length && gif[pos + 2] == 4)
            {
                if ((gif[pos + 3] & 0x01) == 0) return null;
                var copy = gif.ToArray();
                copy[pos + 3] &= 0xFE;
                return copy;
            }
            pos += 2;
            while (pos < gif.Length && gif[pos] != 0) pos += gif[pos] + 1; // data sub-blocks
            pos++;
        }
        return null;
    }
}
