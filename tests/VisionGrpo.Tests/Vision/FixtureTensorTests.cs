using TorchSharp;
using VisionGrpo.Tensors;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Element-wise comparisons against the fixture tensors that were copied (decoded JPEG pixels, a full output).</summary>
public class FixtureTensorTests
{
    static string CaseFile(string id) => Path.Combine(ImageFixtures.Root, "cases", id + ".safetensors");

    static byte[] LoadBytes(SafetensorsFile file, string name)
    {
        using var t = file.Load(name);
        return t.data<byte>().ToArray();
    }

    [Theory]
    [InlineData("photo_320x240_jpg__default")]
    [InlineData("exif_orient6_jpg__pil")]
    [InlineData("exif_orient6_jpg__load_image")]
    [InlineData("tiny_20x15__default")]
    public void DecodedPixelsEqualPillows(string id)
    {
        TorchRuntime.EnsureInitialized();
        var c = ImageFixtures.Load(id);
        using var file = SafetensorsFile.Open(CaseFile(id));
        var expected = LoadBytes(file, "input_rgb_uint8_0");
        var decoded = ImageFixtures.Inputs(c)[0];
        int differing = expected.Zip(decoded.Pixels).Count(p => p.First != p.Second);
        Assert.Equal(expected.Length, decoded.Pixels.Length);
        Assert.Equal(0, differing); // libjpeg-turbo through SkiaSharp decodes like Pillow's libjpeg-turbo (docs/vision.md)
    }

    [Fact]
    public void FullPixelValuesWithinOneMillionth()
    {
        TorchRuntime.EnsureInitialized();
        const string id = "tiny_20x15__default";
        var c = ImageFixtures.Load(id);
        var output = new QwenImageProcessor(ImageFixtures.Config(c)).Process(ImageFixtures.Inputs(c));
        using var scope = torch.NewDisposeScope();
        using var file = SafetensorsFile.Open(CaseFile(id));
        var expected = file.Load("pixel_values");
        Assert.Equal(new long[] { output.NumPatches, output.PatchDim }, expected.shape);
        double maxDiff = (expected - output.PixelValuesTensor()).abs().max().item<float>();
        Assert.True(maxDiff <= 1e-6, $"max abs diff {maxDiff}");
        Assert.Equal(file.Load("image_grid_thw").data<long>().ToArray(), output.ImageGridThwTensor().data<long>().ToArray());
        Assert.Equal(LoadBytes(file, "resized_uint8_0"), new QwenImageProcessor(ImageFixtures.Config(c)).Resize(ImageFixtures.Inputs(c)[0]).Pixels);
    }
}
