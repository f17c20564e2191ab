using System.Buffers.Binary;
using System.Text;
using SkiaSharp;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Formats, mode conversions and bad input for <see cref="ImageDecoder"/>.</summary>
public class ImageDecoderTests
{
    static string Image(string name) => Path.Combine(ImageFixtures.Root, "images", name);

    [Fact]
    public void CorruptBytesRaiseNamingTheSource()
    {
        var bytes = new byte[500];
        new Random(1).NextBytes(bytes);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, "dataset row 17"));
        Assert.Equal("dataset row 17", e.ImageSource);
        Assert.Contains("dataset row 17", e.Message);
    }

    [Fact]
    public void EmptyBytesRaise() =>
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(ReadOnlySpan<byte>.Empty, "empty.png"));

    [Theory]
    [InlineData("typical_640x480.png")]
    [InlineData("photo_320x240.jpg")]
    public void TruncatedFilesRaise(string name)
    {
        var bytes = File.ReadAllBytes(Image(name));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes.AsSpan(0, bytes.Length * 6 / 10), name));
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void ZeroSizedImageRaises() =>
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(PngHeaderOnly(0, 10), "zero.png"));

    [Fact]
    public void DecompressionBombHeaderRaisesBeforeDecoding()
    {
        // 20000 × 20000 = 4·10⁸ pixels > 2 · 89,478,485: must fail on the header alone (decoding would need 1.6 GB).
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(PngHeaderOnly(20000, 20000), "bomb.png"));
        Assert.Contains("decompression bomb", e.Message);
        Assert.Contains("178956970", e.Message);
    }

    [Fact]
    public void ImagesAboveTheLimitWarnButDecode()
    {
        var warnings = new List<string>();
        var image = ImageDecoder.DecodeFile(Image("tiny_20x15.png"), new ImageDecodeOptions { MaxImagePixels = 200, Warning = warnings.Add });
        Assert.Equal((20, 15), (image.Width, image.Height));
        Assert.Single(warnings);
        Assert.Contains("300 pixels", warnings[0]);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(Image("tiny_20x15.png"), new ImageDecodeOptions { MaxImagePixels = 149 }));
    }

    [Fact]
    public void MissingFileRaisesNamingIt()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile("/nonexistent/x.png"));
        Assert.Contains("/nonexistent/x.png", e.Message);
    }

    [Fact]
    public void RgbaDropsAlphaWithoutCompositing()
    {
        // README: pixel (0,0) is RGBA (200, 30, 40, 0) in the file and HF uses (200, 30, 40).
        var image = ImageDecoder.DecodeFile(Image("rgba_300x200.png"));
        Assert.Equal(new byte[] { 200, 30, 40 }, image.Pixels[..3]);
    }

    [Fact]
    public void GrayscaleBecomesEqualChannels()
    {
        var image = ImageDecoder.DecodeFile(Image("gray_L_200x150.png"));
        for (int i = 0; i < image.Pixels.Length; i += 3)
            Assert.True(image.Pixels[i] == image.Pixels[i + 1] && image.Pixels[i] == image.Pixels[i + 2]);
    }

    [Fact]
    public void ExifTransposeIsOptIn()
    {
        var path = Image("exif_orient6_240x160.jpg");
        var stored = ImageDecoder.DecodeFile(path);
        var upright = ImageDecoder.DecodeFile(path, new ImageDecodeOptions { ExifTranspose = true });
        Assert.Equal((240, 160), (stored.Width, stored.Height));
        Assert.Equal((160, 240), (upright.Width, upright.Height));
        Assert.Equal(ExifOrientation.Apply(stored, 6).Pixels, upright.Pixels);
    }

    [Fact]
    public void Bmp24BitDecodes()
    {
        // 2×2 bottom-up BGR BMP, rows padded to 4 bytes.
        byte[] rowBottom = [0, 0, 255, 0, 255, 0, 0, 0]; // red, green (BGR) + 2 pad
        byte[] rowTop = [255, 0, 0, 255, 255, 255, 0, 0]; // blue, white
        var bmp = new List<byte>();
        bmp.AddRange("BM"u8.ToArray());
        bmp.AddRange(Le32(54 + 16)); bmp.AddRange(Le32(0)); bmp.AddRange(Le32(54));
        bmp.AddRange(Le32(40)); bmp.AddRange(Le32(2)); bmp.AddRange(Le32(2));
        bmp.AddRange([1, 0, 24, 0]); bmp.AddRange(Le32(0)); bmp.AddRange(Le32(16));
        bmp.AddRange(Le32(2835)); bmp.AddRange(Le32(2835)); bmp.AddRange(Le32(0)); bmp.AddRange(Le32(0));
        bmp.AddRange(rowBottom); bmp.AddRange(rowTop);
        var image = ImageDecoder.Decode(bmp.ToArray(), "test.bmp");
        Assert.Equal(new byte[] { 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 0 }, image.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GifTakesTheFirstFrameWithPaletteColoursForTheTransparentIndex(bool transparent)
    {
        // Pillow: first frame is mode P; convert("RGB") gives index 0 its palette colour even when it is transparent.
        var image = ImageDecoder.Decode(TwoFrameGif(transparent), "anim.gif");
        Assert.Equal((2, 1), (image.Width, image.Height));
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0 }, image.Pixels); // frame 1: red, green (frame 2 is blue, blue)
    }

    [Fact]
    public void LosslessWebpRoundTrips()
    {
        var rgba = new byte[7 * 5 * 4];
        new Random(3).NextBytes(rgba);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;
        using var bitmap = new SKBitmap(new SKImageInfo(7, 5, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.PeekPixels().Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))!;
        var image = ImageDecoder.Decode(data.ToArray(), "test.webp");
        var expected = rgba.Where((_, i) => i % 4 != 3).ToArray();
        Assert.Equal(expected, image.Pixels);
    }

    [Fact]
    public void ReadSizeReadsTheHeaderOnly() =>
        Assert.Equal((20000, 20000), ImageDecoder.ReadSize(PngHeaderOnly(20000, 20000), "bomb.png"));

    static byte[] Le32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }

    /// <summary>A PNG with a valid IHDR of the given size and an empty (invalid) IDAT: enough for the header.</summary>
    internal static byte[] PngHeaderOnly(int width, int height)
    {
        var png = new List<byte>([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(List<byte> png, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        png.AddRange(len);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.AddRange(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        png.AddRange(crc);
    }

    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A 2×1 GIF with two frames (red, green) then (blue, blue), LZW codes kept at 3 bits by clearing often;
    /// optionally palette index 0 (red) is the transparent index.</summary>
    static byte[] TwoFrameGif(bool firstIndexTransparent)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([2, 0, 1, 0, 0xF1, 0, 0]); // 2×1, global colour table of 4 entries
        gif.AddRange([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0]);
        foreach (var indices in new[] { new[] { 0, 1 }, new[] { 2, 2 } })
        {
            gif.AddRange([0x21, 0xF9, 4, (byte)(firstIndexTransparent ? 1 : 0), 10, 0, 0, 0]); // graphic control: 0.1 s, transparent index 0?
            gif.AddRange([0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0]); // image descriptor, full frame
            gif.Add(2); // LZW minimum code size: clear = 4, end = 5
            var codes = new[] { 4, indices[0], 4, indices[1], 5 };
            int bits = 0, acc = 0;
            var packed = new List<byte>();
            foreach (var code in codes)
            {
                acc |= code << bits;
                bits += 3;
                while (bits >= 8) { packed.Add((byte)acc); acc >>= 8; bits -= 8; }
            }
            if (bits > 0) packed.Add((byte)acc);
            gif.Add((byte)packed.Count);
            gif.AddRange(packed);
            gif.Add(0);
        }
        gif.Add(0x3B);
        return gif.ToArray();
    }
}
