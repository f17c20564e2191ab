using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Lora;

/// <summary>
/// PEFT's <c>LoraConfig</c> with its field names (<c>r</c>, <c>lora_alpha</c>, <c>lora_dropout</c>,
/// <c>target_modules</c>, …), read from and written to <c>adapter_config.json</c>. Options this port does not
/// implement (DoRA, <c>fan_in_fan_out</c>, LoRA biases, per-layer rank/alpha patterns, layer selection,
/// <c>modules_to_save</c> when wrapping) are rejected with the file and field named rather than ignored.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>Rank of the update (<c>r</c>, PEFT default 8).</summary>
    public int R { get; init; } = 8;
    /// <summary><c>lora_alpha</c> (PEFT default 8).</summary>
    public double LoraAlpha { get; init; } = 8;
    /// <summary>Dropout on the adapter input during training (<c>lora_dropout</c>).</summary>
    public double LoraDropout { get; init; }
    /// <summary>Targeted modules (list of names/suffixes, or a full-match regex).</summary>
    public required LoraTargetModules TargetModules { get; init; }
    /// <summary><c>bias</c>; only "none" is supported (biases stay frozen).</summary>
    public string Bias { get; init; } = "none";
    /// <summary><c>task_type</c> ("CAUSAL_LM" for the VLM).</summary>
    public string? TaskType { get; init; } = "CAUSAL_LM";
    /// <summary><c>modules_to_save</c>: extra modules trained in full; kept in the file, not supported when wrapping.</summary>
    public IReadOnlyList<string>? ModulesToSave { get; init; }
    /// <summary>rsLoRA: scale by α/√r instead of α/r.</summary>
    public bool UseRslora { get; init; }
    /// <summary><c>init_lora_weights</c>: "true" (A Kaiming-uniform a=√5, B zeros), "gaussian" (A ~ N(0, 1/r), B zeros) or "false" (both random).</summary>
    public string InitLoraWeights { get; init; } = "true";
    /// <summary><c>base_model_name_or_path</c> written on save.</summary>
    public string? BaseModelNameOrPath { get; init; }
    /// <summary><c>revision</c> of the base model.</summary>
    public string? Revision { get; init; }
    /// <summary><c>inference_mode</c>; PEFT writes true on save.</summary>
    public bool InferenceMode { get; init; }

    /// <summary>Adapter output scale: α/r, or α/√r with rsLoRA.</summary>
    public double Scaling => UseRslora ? LoraAlpha / Math.Sqrt(R) : LoraAlpha / R;

    /// <summary>The file name PEFT uses.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>Checks the values PEFT itself checks (rank, dropout, bias mode).</summary>
    public LoraConfig Validate(string source = "LoraConfig")
    {
        if (R <= 0) throw new ArgumentException($"{source}: r must be a positive integer, got {R}.");
        if (LoraDropout is < 0 or >= 1) throw new ArgumentException($"{source}: lora_dropout must be in [0, 1), got {LoraDropout}.");
        if (Bias != "none") throw new NotSupportedException($"{source}: bias '{Bias}' is not supported (only \"none\").");
        if (InitLoraWeights is not ("true" or "false" or "gaussian"))
            throw new NotSupportedException($"{source}: init_lora_weights '{InitLoraWeights}' is not supported (true, false, \"gaussian\").");
        return this;
    }

    /// <summary>Reads <c>adapter_config.json</c> from an adapter folder (or the file itself).</summary>
    public static LoraConfig Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"No {FileName} at '{path}'.", file);
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(file)); }
        catch (JsonException e) { throw new InvalidDataException($"{file}: not valid JSON ({e.Message}).", e); }
        if (root is not JsonObject o) throw new InvalidDataException($"{file}: expected a JSON object.");
        return FromJson(o, file);
    }

    /// <summary>Parses a PEFT config object; <paramref name="source"/> names it in errors.</summary>
    public static LoraConfig FromJson(JsonObject o, string source)
    {
        string peftType = Str(o, "peft_type", source) ?? "LORA";
        if (peftType != "LORA") throw new NotSupportedException($"{source}: peft_type '{peftType}' is not LORA.");
        RejectSet(o, source, "use_dora", "fan_in_fan_out", "lora_bias", "use_qalora");
        RejectNonEmpty(o, source, "rank_pattern", "alpha_pattern", "layers_to_transform", "layers_pattern",
            "exclude_modules", "layer_replication", "target_parameters", "trainable_token_indices");
        var targets = o["target_modules"] switch
        {
            JsonArray a => LoraTargetModules.FromNames(a.Select(n => n?.GetValue<string>() ?? "")),
            JsonValue v when v.TryGetValue(out string? s) => LoraTargetModules.FromString(s!),
            _ => throw new InvalidDataException($"{source}: target_modules must be a list of names or a regex string."),
        };
        return new LoraConfig
        {
            R = (int)Num(o, "r", source, 8),
            LoraAlpha = Num(o, "lora_alpha", source, 8),
            LoraDropout = Num(o, "lora_dropout", source, 0),
            TargetModules = targets,
            Bias = Str(o, "bias", source) ?? "none",
            TaskType = Str(o, "task_type", source),
            ModulesToSave = o["modules_to_save"] is JsonArray m ? m.Select(n => n!.GetValue<string>()).ToList() : null,
            UseRslora = Bool(o, "use_rslora", source),
            InitLoraWeights = o["init_lora_weights"] switch
            {
                null => "true",
                JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
                JsonValue v when v.TryGetValue(out string? s) => s!,
                _ => throw new InvalidDataException($"{source}: init_lora_weights must be a boolean or a string."),
            },
            BaseModelNameOrPath = Str(o, "base_model_name_or_path", source),
            Revision = Str(o, "revision", source),
            InferenceMode = Bool(o, "inference_mode", source),
        }.Validate(source);
    }

    /// <summary>
    /// The JSON PEFT 0.17.1's <c>save_pretrained</c> writes: every <c>LoraConfig</c> field, keys sorted, two-space
    /// indent (field list and defaults from a file PEFT 0.17.1 wrote, see tests/fixtures/peft_lora).
    /// </summary>
    public string ToJson()
    {
        JsonNode? init = InitLoraWeights switch { "true" => true, "false" => false, var s => s };
        // A config not yet applied to a model keeps the all-linear shorthand as PEFT's string; Wrap resolves it to names.
        JsonNode? targets = TargetModules.IsAllLinear ? LoraTargetModules.AllLinearShorthand
            : TargetModules.Pattern is { } p ? p : new JsonArray(TargetModules.Names!.Select(n => (JsonNode?)n).ToArray());
        var fields = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["alpha_pattern"] = new JsonObject(), ["auto_mapping"] = null,
            ["base_model_name_or_path"] = BaseModelNameOrPath, ["bias"] = Bias, ["corda_config"] = null,
            ["eva_config"] = null, ["exclude_modules"] = null, ["fan_in_fan_out"] = false,
            ["inference_mode"] = InferenceMode, ["init_lora_weights"] = init, ["layer_replication"] = null,
            ["layers_pattern"] = null, ["layers_to_transform"] = null, ["loftq_config"] = new JsonObject(),
            ["lora_alpha"] = Number(LoraAlpha), ["lora_bias"] = false, ["lora_dropout"] = LoraDropout,
            ["megatron_config"] = null, ["megatron_core"] = "megatron.core",
            ["modules_to_save"] = ModulesToSave is null ? null : new JsonArray(ModulesToSave.Select(n => (JsonNode?)n).ToArray()),
            ["peft_type"] = "LORA", ["qalora_group_size"] = 16, ["r"] = R, ["rank_pattern"] = new JsonObject(),
            ["revision"] = Revision, ["target_modules"] = targets, ["target_parameters"] = null, ["task_type"] = TaskType,
            ["trainable_token_indices"] = null, ["use_dora"] = false, ["use_qalora"] = false, ["use_rslora"] = UseRslora,
        };
        var o = new JsonObject();
        foreach (var (k, v) in fields) o[k] = v;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 2 });
    }

    // Python writes an integral alpha as 32, not 32.0: keep ints ints so the file reads the same in PEFT.
    static JsonNode Number(double v) => v == Math.Floor(v) && Math.Abs(v) < 1e15 ? JsonValue.Create((long)v) : JsonValue.Create(v);

    static double Num(JsonObject o, string key, string source, double fallback) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue(out double d) => d,
        _ => throw new InvalidDataException($"{source}: '{key}' must be a number."),
    };

    static string? Str(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => throw new InvalidDataException($"{source}: '{key}' must be a string."),
    };

    static bool Bool(JsonObject o, string key, string source) => o[key] switch
    {
        null => false,
        JsonValue v when v.TryGetValue(out bool b) => b,
        _ => throw new InvalidDataException($"{source}: '{key}' must be true or false."),
    };

    static void RejectSet(JsonObject o, string source, params string[] keys)
    {
        foreach (string key in keys)
            if (Bool(o, key, source)) throw new NotSupportedException($"{source}: '{key}': true is not supported by this LoRA port.");
    }

    static void RejectNonEmpty(JsonObject o, string source, params string[] keys)
    {
        foreach (string key in keys)
        {
            var node = o[key];
            bool empty = node is null || node is JsonObject { Count: 0 } || node is JsonArray { Count: 0 };
            if (!empty) throw new NotSupportedException($"{source}: '{key}' ({node!.ToJsonString()}) is not supported by this LoRA port.");
        }
    }
}
