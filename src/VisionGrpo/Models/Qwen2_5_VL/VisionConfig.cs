using System.Text.Json;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>
/// The <c>vision_config</c> block of a Qwen2.5-VL <c>config.json</c>. Property defaults are the Hugging Face class
/// defaults (not the 3B values: e.g. <see cref="HiddenSize"/> 3584), applied only when a key is absent or null.
/// </summary>
public sealed record Qwen2_5_VLVisionConfig
{
    /// <summary>Number of vision blocks (<c>depth</c>).</summary>
    public int Depth { get; init; } = 32;

    /// <summary>Width of the ViT residual stream (<c>hidden_size</c>, 1280 in the released models).</summary>
    public int HiddenSize { get; init; } = 3584;

    /// <summary>Width of the SwiGLU MLP inside each block (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; } = 3420;

    /// <summary>Attention heads per block (<c>num_heads</c>).</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>Image channels (<c>in_channels</c>, legacy <c>in_chans</c>).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Width of the merged output tokens (<c>out_hidden_size</c>); must equal the text hidden size.</summary>
    public int OutHiddenSize { get; init; } = 3584;

    /// <summary>Spatial patch edge in pixels (<c>patch_size</c>, legacy duplicate <c>spatial_patch_size</c>).</summary>
    public int PatchSize { get; init; } = 14;

    /// <summary>Patches merged per axis by the patch merger (<c>spatial_merge_size</c>).</summary>
    public int SpatialMergeSize { get; init; } = 2;

    /// <summary>Frames per temporal patch (<c>temporal_patch_size</c>).</summary>
    public int TemporalPatchSize { get; init; } = 2;

    /// <summary>Attention window edge in pixels (<c>window_size</c>).</summary>
    public int WindowSize { get; init; } = 112;

    /// <summary>Blocks that attend over whole frames instead of windows (<c>fullatt_block_indexes</c>).</summary>
    public IReadOnlyList<int> FullAttBlockIndexes { get; init; } = [7, 15, 23, 31];

    /// <summary>Activation of the block MLPs (<c>hidden_act</c>).</summary>
    public string HiddenAct { get; init; } = "silu";

    /// <summary>Temporal position scale for videos (<c>tokens_per_second</c>); unused for still images.</summary>
    public double TokensPerSecond { get; init; } = 4;

    /// <summary>Per-head width: <see cref="HiddenSize"/> / <see cref="NumHeads"/>.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Length of one flattened patch row: channels · temporal · patch · patch (1176 for the real models).</summary>
    public int PatchDim => InChannels * TemporalPatchSize * PatchSize * PatchSize;

    /// <summary>Patches per merged token: <see cref="SpatialMergeSize"/>².</summary>
    public int SpatialMergeUnit => SpatialMergeSize * SpatialMergeSize;

    /// <summary>Window edge in merged tokens: window_size / merge / patch (4 for the real models).</summary>
    public int WindowMergedTokens => WindowSize / SpatialMergeSize / PatchSize;

    /// <summary>Activations the vision blocks support (names as in transformers' <c>ACT2FN</c>).</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } = ["silu", "gelu", "gelu_pytorch_tanh", "quick_gelu"];

    /// <summary>The vision tower of Qwen/Qwen2.5-VL-3B-Instruct (its hub <c>vision_config</c>).</summary>
    public static Qwen2_5_VLVisionConfig Qwen2_5_VL_3B { get; } = new()
    {
        Depth = 32, HiddenSize = 1280, IntermediateSize = 3420, NumHeads = 16, OutHiddenSize = 2048,
        TokensPerSecond = 2,
    };

    /// <summary>
    /// Reads a <c>vision_config</c> object: accepts <c>in_chans</c> or <c>in_channels</c>, checks the legacy
    /// <c>spatial_patch_size</c>, fills absent or null keys with the class defaults and validates the result.
    /// </summary>
    /// <exception cref="FormatException">A key has the wrong JSON type, or the values are inconsistent.</exception>
    public static Qwen2_5_VLVisionConfig FromJson(JsonElement visionConfig)
    {
        if (visionConfig.ValueKind != JsonValueKind.Object)
            throw new FormatException($"vision_config must be a JSON object, got {visionConfig.ValueKind}.");
        var d = new Qwen2_5_VLVisionConfig();
        var r = new Reader(visionConfig);

        string? modelType = r.String("model_type");
        if (modelType is "qwen2_vl")
            throw new FormatException("vision_config.model_type 'qwen2_vl' is the Qwen2-VL vision tower (LayerNorm, QuickGELU MLP), which this Qwen2.5-VL loader does not support.");

        int? inChans = r.Int("in_chans"), inChannels = r.Int("in_channels");
        if (inChans is { } a && inChannels is { } b && a != b)
            throw new FormatException($"vision_config: in_chans ({a}) and in_channels ({b}) disagree.");
        int patch = r.Int("patch_size") ?? d.PatchSize;
        if (r.Int("spatial_patch_size") is { } sps && sps != patch)
            throw new FormatException($"vision_config: spatial_patch_size ({sps}) differs from patch_size ({patch}).");

        var config = new Qwen2_5_VLVisionConfig
        {
            Depth = r.Int("depth") ?? d.Depth,
            HiddenSize = r.Int("hidden_size") ?? d.HiddenSize,
            IntermediateSize = r.Int("intermediate_size") ?? d.IntermediateSize,
            NumHeads = r.Int("num_heads") ?? d.NumHeads,
            InChannels = inChannels ?? inChans ?? d.InChannels,
            OutHiddenSize = r.Int("out_hidden_size") ?? d.OutHiddenSize,
            PatchSize = patch,
            SpatialMergeSize = r.Int("spatial_merge_size") ?? d.SpatialMergeSize,
            TemporalPatchSize = r.Int("temporal_patch_size") ?? d.TemporalPatchSize,
            WindowSize = r.Int("window_size") ?? d.WindowSize,
            FullAttBlockIndexes = r.IntArray("fullatt_block_indexes") ?? d.FullAttBlockIndexes,
            HiddenAct = r.String("hidden_act") ?? d.HiddenAct,
            TokensPerSecond = r.Double("tokens_per_second") ?? d.TokensPerSecond,
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="FormatException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        void Positive(string key, int value)
        {
            if (value <= 0) throw new FormatException($"vision_config.{key} must be positive, got {value}.");
        }
        Positive("depth", Depth);
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_heads", NumHeads);
        Positive("in_channels", InChannels);
        Positive("out_hidden_size", OutHiddenSize);
        Positive("patch_size", PatchSize);
        Positive("spatial_merge_size", SpatialMergeSize);
        Positive("temporal_patch_size", TemporalPatchSize);
        Positive("window_size", WindowSize);
        if (HiddenSize % NumHeads != 0)
            throw new FormatException($"vision_config.hidden_size ({HiddenSize}) is not divisible by num_heads ({NumHeads}).");
        // The 2-D rotary splits each head into a row half and a column half, each made of cos/sin pairs.
        if (HeadDim % 4 != 0)
            throw new FormatException($"vision_config: head dim hidden_size/num_heads = {HeadDim} must be a multiple of 4 for the 2-D rotary embedding.");
        if (WindowSize % (SpatialMergeSize * PatchSize) != 0)
            throw new FormatException($"vision_config.window_size ({WindowSize}) must be a multiple of spatial_merge_size·patch_size ({SpatialMergeSize * PatchSize}).");
        foreach (int i in FullAttBlockIndexes)
            if (i < 0 || i >= Depth)
                throw new FormatException($"vision_config.fullatt_block_indexes contains {i}, outside 0..{Depth - 1} (depth {Depth}).");
        if (!SupportedActivations.Contains(HiddenAct))
            throw new FormatException($"vision_config.hidden_act '{HiddenAct}' is not supported (supported: {string.Join(", ", SupportedActivations)}).");
        if (TokensPerSecond < 0)
            throw new FormatException($"vision_config.tokens_per_second must not be negative, got {TokensPerSecond}.");
    }

    /// <summary>Typed, null-tolerant access to the keys of one JSON object, with errors that name the key.</summary>
    readonly struct Reader(JsonElement obj)
    {
        bool TryGet(string key, out JsonElement value) =>
            obj.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

        public int? Int(string key)
        {
            if (!TryGet(key, out var v)) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
            // transformers writes some integers as floats (e.g. 2.0); accept only exact integers.
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue)
                return (int)x;
            throw new FormatException($"vision_config.{key} must be an integer, got {v.GetRawText()}.");
        }

        public double? Double(string key)
        {
            if (!TryGet(key, out var v)) return null;
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            throw new FormatException($"vision_config.{key} must be a number, got {v.GetRawText()}.");
        }

        public string? String(string key)
        {
            if (!TryGet(key, out var v)) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            throw new FormatException($"vision_config.{key} must be a string, got {v.GetRawText()}.");
        }

        public int[]? IntArray(string key)
        {
            if (!TryGet(key, out var v)) return null;
            if (v.ValueKind != JsonValueKind.Array)
                throw new FormatException($"vision_config.{key} must be an array of integers, got {v.GetRawText()}.");
            var list = new List<int>();
            foreach (var e in v.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int i))
                    throw new FormatException($"vision_config.{key} must be an array of integers, got {v.GetRawText()}.");
                list.Add(i);
            }
            return [.. list];
        }
    }
}
