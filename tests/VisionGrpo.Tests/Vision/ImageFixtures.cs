using System.Security.Cryptography;
using System.Text.Json;
using VisionGrpo.Vision;

namespace VisionGrpo.Tests.Vision;

/// <summary>Reads the image-processor golden cases copied under fixtures/image_processor.</summary>
internal static class ImageFixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "image_processor");

    public static IEnumerable<string> CaseIds(string status) =>
        Directory.EnumerateFiles(Path.Combine(Root, "cases"), "*.json")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Where(id => Load(id).GetProperty("expected").GetProperty("status").GetString() == status)
            .Order();

    public static JsonElement Load(string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases", id + ".json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The case's input images decoded the way the case obtained them (Image.open or load_image).</summary>
    public static RgbImage[] Inputs(JsonElement c)
    {
        bool loadImage = c.GetProperty("input_method").GetString()!.Contains("load_image", StringComparison.Ordinal);
        var options = new ImageDecodeOptions { ExifTranspose = loadImage };
        return c.GetProperty("inputs").EnumerateArray()
            .Select(i => ImageDecoder.DecodeFile(Path.Combine(Root, i.GetProperty("file").GetString()!), options))
            .ToArray();
    }

    /// <summary>The fixture config with the case's per-call overrides (min/max_pixels, size, do_resize).</summary>
    public static ImageProcessorConfig Config(JsonElement c)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "manifest.json")));
        var config = ImageProcessorConfig.Parse(manifest.RootElement.GetProperty("preprocessor_config"), "manifest.json");
        var kw = c.GetProperty("call_kwargs");
        if (kw.TryGetProperty("size", out var size))
            config = config with { MinPixels = size.GetProperty("shortest_edge").GetInt64(), MaxPixels = size.GetProperty("longest_edge").GetInt64() };
        if (kw.TryGetProperty("min_pixels", out var min)) config = config with { MinPixels = min.GetInt64() };
        if (kw.TryGetProperty("max_pixels", out var max)) config = config with { MaxPixels = max.GetInt64() };
        if (kw.TryGetProperty("do_resize", out var resize)) config = config with { DoResize = resize.GetBoolean() };
        return config;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static int[][] IntRows(JsonElement array) =>
        array.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
}
