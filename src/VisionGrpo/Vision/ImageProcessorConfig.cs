using System.Text.Json;

namespace VisionGrpo.Vision;

/// <summary>The Qwen2-VL image processor settings from <c>preprocessor_config.json</c>; override per call with
/// <c>with { MinPixels = … }</c>. Defaults are the class defaults of transformers' <c>Qwen2VLImageProcessor</c>.</summary>
public sealed record ImageProcessorConfig
{
    /// <summary>The file name inside a model directory.</summary>
    public const string FileName = "preprocessor_config.json";

    /// <summary>Lower bound on the resized area in pixels (<c>min_pixels</c>, else <c>size.shortest_edge</c>).</summary>
    public long MinPixels { get; init; } = 56 * 56;

    /// <summary>Upper bound on the resized area in pixels (<c>max_pixels</c>, else <c>size.longest_edge</c>); the main memory knob.</summary>
    public long MaxPixels { get; init; } = 28 * 28 * 1280;

    /// <summary>Side of a square ViT patch (<c>patch_size</c>).</summary>
    public int PatchSize { get; init; } = 14;

    /// <summary>Frames per temporal patch (<c>temporal_patch_size</c>); a still image is repeated to fill it.</summary>
    public int TemporalPatchSize { get; init; } = 2;

    /// <summary>Side of the patch-merge window (<c>merge_size</c>).</summary>
    public int MergeSize { get; init; } = 2;

    /// <summary>Per-channel mean (<c>image_mean</c>, OpenAI CLIP constants by default).</summary>
    public IReadOnlyList<double> ImageMean { get; init; } = [0.48145466, 0.4578275, 0.40821073];

    /// <summary>Per-channel standard deviation (<c>image_std</c>).</summary>
    public IReadOnlyList<double> ImageStd { get; init; } = [0.26862954, 0.26130258, 0.27577711];

    /// <summary>Resize with <see cref="SmartResize"/> (<c>do_resize</c>).</summary>
    public bool DoResize { get; init; } = true;

    /// <summary>Multiply by <see cref="RescaleFactor"/> (<c>do_rescale</c>).</summary>
    public bool DoRescale { get; init; } = true;

    /// <summary>Scale applied when rescaling (<c>rescale_factor</c>, 1/255).</summary>
    public double RescaleFactor { get; init; } = 1.0 / 255;

    /// <summary>Subtract the mean and divide by the std (<c>do_normalize</c>).</summary>
    public bool DoNormalize { get; init; } = true;

    /// <summary>The resize filter (<c>resample</c>, 3 = BICUBIC).</summary>
    public PillowFilter Resample { get; init; } = PillowFilter.Bicubic;

    /// <summary>patch_size·merge_size: resized sides are multiples of this (28).</summary>
    public int Factor => PatchSize * MergeSize;

    /// <summary>Reads <c>preprocessor_config.json</c> from a model directory, or the file itself.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field has the wrong type or value.</exception>
    public static ImageProcessorConfig Load(string modelDirOrFile)
    {
        ArgumentNullException.ThrowIfNull(modelDirOrFile);
        string path = Directory.Exists(modelDirOrFile) ? Path.Combine(modelDirOrFile, FileName) : modelDirOrFile;
        if (!File.Exists(path)) throw new FileNotFoundException($"{FileName} not found: {path}", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return Parse(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Builds the config from a parsed <c>preprocessor_config.json</c> object; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">A field has the wrong type or value.</exception>
    public static ImageProcessorConfig Parse(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: expected a JSON object");
        var d = new ImageProcessorConfig();
        JsonElement size = root.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var config = new ImageProcessorConfig
        {
            // min/max_pixels win over size.{shortest,longest}_edge (which hold pixel counts here, despite the names).
            MinPixels = Long(root, "min_pixels", source) ?? Long(size, "shortest_edge", source) ?? d.MinPixels,
            MaxPixels = Long(root, "max_pixels", source) ?? Long(size, "longest_edge", source) ?? d.MaxPixels,
            PatchSize = (int?)Long(root, "patch_size", source) ?? d.PatchSize,
            TemporalPatchSize = (int?)Long(root, "temporal_patch_size", source) ?? d.TemporalPatchSize,
            MergeSize = (int?)Long(root, "merge_size", source) ?? d.MergeSize,
            ImageMean = Triple(root, "image_mean", source) ?? d.ImageMean,
            ImageStd = Triple(root, "image_std", source) ?? d.ImageStd,
            DoResize = Bool(root, "do_resize", source) ?? d.DoResize,
            DoRescale = Bool(root, "do_rescale", source) ?? d.DoRescale,
            RescaleFactor = Double(root, "rescale_factor", source) ?? d.RescaleFactor,
            DoNormalize = Bool(root, "do_normalize", source) ?? d.DoNormalize,
            Resample = (PillowFilter?)(int?)Long(root, "resample", source) ?? d.Resample,
        };
        config.Validate(source);
        return config;
    }

    /// <summary>Checks the values; <paramref name="source"/> names the file or option in the message.</summary>
    /// <exception cref="InvalidDataException">A value is out of range.</exception>
    public void Validate(string source = "image processor config")
    {
        void Fail(string what) => throw new InvalidDataException($"{source}: {what}");
        if (PatchSize <= 0 || MergeSize <= 0 || TemporalPatchSize <= 0)
            Fail($"patch_size ({PatchSize}), merge_size ({MergeSize}) and temporal_patch_size ({TemporalPatchSize}) must be positive");
        if (MinPixels <= 0) Fail($"min_pixels must be positive, got {MinPixels}");
        if (MaxPixels < MinPixels) Fail($"max_pixels ({MaxPixels}) must be at least min_pixels ({MinPixels})");
        if (ImageMean.Count != 3 || ImageStd.Count != 3) Fail("image_mean and image_std need 3 values (R, G, B)");
        if (ImageStd.Any(v => v == 0)) Fail("image_std must not contain 0");
        if (Resample is < PillowFilter.Lanczos or > PillowFilter.Hamming)
            Fail($"resample {(int)Resample} is not supported (use 1–5: LANCZOS, BILINEAR, BICUBIC, BOX, HAMMING)");
    }

    static JsonElement? Field(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    static long? Long(JsonElement obj, string name, string source) => Field(obj, name) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : throw Bad(source, name, "an integer", v)
        : null;

    static double? Double(JsonElement obj, string name, string source) => Field(obj, name) is { } v
        ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(source, name, "a number", v)
        : null;

    static bool? Bool(JsonElement obj, string name, string source) => Field(obj, name) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(source, name, "true or false", v)
        : null;

    static double[]? Triple(JsonElement obj, string name, string source)
    {
        if (Field(obj, name) is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number) return [v.GetDouble(), v.GetDouble(), v.GetDouble()];
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 3 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
            throw Bad(source, name, "a list of 3 numbers", v);
        return v.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    static InvalidDataException Bad(string source, string name, string expected, JsonElement got) =>
        new($"{source}: \"{name}\" must be {expected}, got {got.GetRawText()}");
}
