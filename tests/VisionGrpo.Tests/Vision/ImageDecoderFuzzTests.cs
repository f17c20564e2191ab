using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Deterministic fuzzing: damaged PNG/JPEG/GIF bytes either decode or raise <see cref="ImageDecodeException"/>;
/// anything else (another exception type, a native crash of the test host) fails.</summary>
public class ImageDecoderFuzzTests
{
    [Theory]
    [InlineData("photo_320x240.jpg")]
    [InlineData("odd_333x517.png")]
    [InlineData("palette_P_256x192.png")]
    public void DamagedFilesDecodeOrRaiseImageDecodeException(string name)
    {
        var original = File.ReadAllBytes(Path.Combine(ImageFixtures.Root, "images", name));
        var rng = new Random(name.Length * 7919);
        int decoded = 0, rejected = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            var bytes = (byte[])original.Clone();
            int length = bytes.Length;
            switch (trial % 3)
            {
                case 0: // flip a few bytes, header included
                    for (int k = 0; k < 1 + trial % 5; k++) bytes[rng.Next(Math.Min(bytes.Length, k == 0 ? 64 : bytes.Length))] ^= (byte)rng.Next(1, 256);
                    break;
                case 1: // truncate anywhere
                    length = rng.Next(0, bytes.Length);
                    break;
                default: // overwrite a run with noise
                    int start = rng.Next(bytes.Length), run = Math.Min(rng.Next(1, 200), bytes.Length - start);
                    rng.NextBytes(bytes.AsSpan(start, run));
                    break;
            }
            try
            {
                var image = ImageDecoder.Decode(bytes.AsSpan(0, length), $"{name} trial {trial}");
                Assert.Equal((long)image.Width * image.Height * 3, image.Pixels.LongLength);
                decoded++;
            }
            catch (ImageDecodeException e)
            {
                Assert.Contains($"{name} trial {trial}", e.Message);
                rejected++;
            }
        }
        Assert.True(rejected > 0, "no damaged variant was rejected");
        Assert.Equal(60, decoded + rejected);
    }
}
