using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// Loads and saves a Hugging Face model folder (<c>from_pretrained</c> / <c>save_pretrained</c> layout):
/// <c>config.json</c>, <c>generation_config.json</c>, <c>model.safetensors</c> or shards + index, and the
/// tokenizer / processor files, which are copied verbatim.
/// </summary>
public static class ModelFolder
{
    /// <summary>Tokenizer and processor files transformers' processors write; copied when present.</summary>
    public static readonly string[] ProcessorFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json",
        "added_tokens.json", "chat_template.json", "chat_template.jinja", "preprocessor_config.json",
        "video_preprocessor_config.json", "processor_config.json",
    ];

    /// <summary>transformers' default shard limit (5 GB, decimal).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Reads the config, builds the model in <paramref name="dtype"/> and loads the weights.</summary>
    public static QwenVLForConditionalGeneration Load(string directory, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist.");
        TorchRuntime.EnsureInitialized();
        var config = QwenVLConfig.Load(directory);
        var model = new QwenVLForConditionalGeneration(config, dtype, device);
        try
        {
            using var checkpoint = SafetensorsCheckpoint.Open(directory);
            WeightLoader.Load(model, checkpoint);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>HF spelling of a dtype (<c>float32</c>, <c>bfloat16</c>, …).</summary>
    public static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => throw new NotSupportedException($"dtype {dtype} is not a model weight dtype."),
    };

    /// <summary>
    /// Writes <paramref name="model"/> like <c>save_pretrained</c>: config (dtype updated), generation config,
    /// weights under the original hub names (Qwen3-VL: its own, the transformers ≥ 4.52 layout; tied head omitted),
    /// sharded above <paramref name="maxShardBytes"/>.
    /// Tokenizer and processor files are copied from <paramref name="processorSource"/> when given; a
    /// <c>generation_config.json</c> there is copied too, otherwise one is derived from the config's token ids.
    /// </summary>
    public static void Save(QwenVLForConditionalGeneration model, string directory, string? processorSource = null,
        long maxShardBytes = DefaultMaxShardBytes)
    {
        Directory.CreateDirectory(directory);
        var dtype = model.DType;
        File.WriteAllText(Path.Combine(directory, "config.json"), model.Config.ToJson(DTypeName(dtype)) + "\n");
        var weights = model.named_parameters()
            .Where(p => !(model.Config.Text.TieWordEmbeddings && p.name == "lm_head.weight"))
            .Select(p => KeyValuePair.Create(model.Config.Family.SavesLanguageModelLayout ? WeightLoader.ToLanguageModelLayout(p.name) : p.name, (Tensor)p.parameter));
        SafetensorsWriter.SaveSharded(directory, weights, maxShardBytes);

        string generation = Path.Combine(directory, "generation_config.json");
        string? sourceGeneration = processorSource is null ? null : Path.Combine(processorSource, "generation_config.json");
        if (sourceGeneration is not null && File.Exists(sourceGeneration)) CopyIfDifferent(sourceGeneration, generation);
        else File.WriteAllText(generation, GenerationConfigJson(model.Config));

        if (processorSource is not null) CopyProcessorFiles(processorSource, directory);
    }

    /// <summary>Copies the <see cref="ProcessorFiles"/> present in <paramref name="source"/> into <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="source"/> does not exist.</exception>
    internal static void CopyProcessorFiles(string source, string directory)
    {
        if (!Directory.Exists(source))
            throw new DirectoryNotFoundException($"Tokenizer/processor folder '{source}' does not exist.");
        foreach (string name in ProcessorFiles)
        {
            string from = Path.Combine(source, name);
            if (File.Exists(from)) CopyIfDifferent(from, Path.Combine(directory, name));
        }
    }

    /// <summary>
    /// End-of-sequence ids and the pad id for generation: <c>generation_config.json</c> of <paramref name="folder"/>
    /// when it has them, else <c>config.json</c>; the pad id falls back to the first eos id.
    /// </summary>
    public static (int[] Eos, int Pad) GenerationTokenIds(string folder, QwenVLConfig config)
    {
        int[] eos = config.EosTokenIds;
        int? pad = config.PadTokenId;
        string file = Path.Combine(folder, "generation_config.json");
        if (File.Exists(file))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            System.Text.Json.JsonElement? root = doc.RootElement;
            var fileEos = ConfigJson.IntList(file, "eos_token_id", root);
            if (fileEos.Length > 0) eos = fileEos;
            pad = ConfigJson.OptionalInt(file, "pad_token_id", root) ?? pad;
        }
        return (eos, pad ?? (eos.Length > 0 ? eos[0] : 0));
    }

    static void CopyIfDifferent(string from, string to)
    {
        if (Path.GetFullPath(from) != Path.GetFullPath(to)) File.Copy(from, to, overwrite: true);
    }

    static string GenerationConfigJson(QwenVLConfig config)
    {
        var node = new System.Text.Json.Nodes.JsonObject();
        if (config.BosTokenId is int bos) node["bos_token_id"] = bos;
        if (config.EosTokenIds.Length == 1) node["eos_token_id"] = config.EosTokenIds[0];
        else if (config.EosTokenIds.Length > 1) node["eos_token_id"] = new System.Text.Json.Nodes.JsonArray(config.EosTokenIds.Select(i => (System.Text.Json.Nodes.JsonNode?)i).ToArray());
        if (config.PadTokenId is int pad) node["pad_token_id"] = pad;
        return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
