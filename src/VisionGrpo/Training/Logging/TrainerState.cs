using VisionGrpo.Formats;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// The HF Trainer's <c>TrainerState</c> as saved to <c>trainer_state.json</c> in every checkpoint
/// (<c>json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"</c>): global step, epoch, log history, cadences,
/// token count and the <c>TrainerControl</c> callback state.
/// </summary>
public sealed class TrainerState
{
    /// <summary>Fractional epoch reached (<c>epoch</c>).</summary>
    public double Epoch { get; set; }

    /// <summary>Optimizer steps done (<c>global_step</c>).</summary>
    public long GlobalStep { get; set; }

    /// <summary>Total optimizer steps planned (<c>max_steps</c>).</summary>
    public long MaxSteps { get; set; }

    /// <summary><c>logging_steps</c>.</summary>
    public long LoggingSteps { get; set; } = 500;

    /// <summary><c>eval_steps</c>.</summary>
    public long EvalSteps { get; set; } = 500;

    /// <summary><c>save_steps</c>.</summary>
    public long SaveSteps { get; set; } = 500;

    /// <summary><c>train_batch_size</c> (per-device batch size).</summary>
    public long TrainBatchSize { get; set; }

    /// <summary><c>num_train_epochs</c> (integer, as the Trainer stores it).</summary>
    public long NumTrainEpochs { get; set; }

    /// <summary><c>num_input_tokens_seen</c> (TRL's <c>num_tokens</c> metric).</summary>
    public long NumInputTokensSeen { get; set; }

    /// <summary><c>total_flos</c>.</summary>
    public double TotalFlos { get; set; }

    /// <summary><c>best_metric</c>, <c>best_global_step</c>, <c>best_model_checkpoint</c> (null without metric_for_best_model).</summary>
    public double? BestMetric { get; set; }

    /// <summary>See <see cref="BestMetric"/>.</summary>
    public long? BestGlobalStep { get; set; }

    /// <summary>See <see cref="BestMetric"/>.</summary>
    public string? BestModelCheckpoint { get; set; }

    /// <summary>
    /// <c>log_history</c>: one dictionary per <c>log()</c> call (metrics + <c>epoch</c> + <c>step</c>), values are
    /// double, long, string, bool or null.
    /// </summary>
    public List<Dictionary<string, object?>> LogHistory { get; } = new();

    /// <summary>Appends a log entry the way <c>Trainer.log</c> does: the metrics, then <c>epoch</c> and <c>step</c>.</summary>
    public Dictionary<string, object?> AddLog(IEnumerable<KeyValuePair<string, object?>> metrics)
    {
        var entry = new Dictionary<string, object?>();
        foreach (var (k, v) in metrics) entry[k] = v;
        entry["epoch"] = Epoch;
        entry["step"] = GlobalStep;
        LogHistory.Add(entry);
        return entry;
    }

    /// <summary>
    /// The Trainer's end-of-training metrics (<c>train_runtime</c>, <c>train_samples_per_second</c>,
    /// <c>train_steps_per_second</c>, <c>total_flos</c>, <c>train_loss</c>) for <paramref name="steps"/> steps of
    /// <paramref name="samplesPerStep"/> samples in <paramref name="runtime"/> seconds.
    /// </summary>
    public List<KeyValuePair<string, object?>> TrainSummary(double runtime, long steps, long samplesPerStep, double trainLoss) =>
    [
        new("train_runtime", Math.Round(runtime, 4)),
        new("train_samples_per_second", Math.Round(steps * (double)samplesPerStep / Math.Max(runtime, 1e-9), 3)),
        new("train_steps_per_second", Math.Round(steps / Math.Max(runtime, 1e-9), 3)),
        new("total_flos", TotalFlos),
        new("train_loss", trainLoss),
    ];

    /// <summary>The JSON text the Trainer writes (sorted keys, indent 2, trailing newline).</summary>
    public string ToJson()
    {
        var control = new Dictionary<string, object?>
        {
            ["args"] = new Dictionary<string, object?>
            {
                ["should_epoch_stop"] = false, ["should_evaluate"] = false, ["should_log"] = false,
                ["should_save"] = true, ["should_training_stop"] = GlobalStep >= MaxSteps && MaxSteps > 0,
            },
            ["attributes"] = new Dictionary<string, object?>(),
        };
        var state = new Dictionary<string, object?>
        {
            ["best_global_step"] = BestGlobalStep,
            ["best_metric"] = BestMetric,
            ["best_model_checkpoint"] = BestModelCheckpoint,
            ["epoch"] = Epoch,
            ["eval_steps"] = EvalSteps,
            ["global_step"] = GlobalStep,
            ["is_hyper_param_search"] = false,
            ["is_local_process_zero"] = true,
            ["is_world_process_zero"] = true,
            ["log_history"] = LogHistory,
            ["logging_steps"] = LoggingSteps,
            ["max_steps"] = MaxSteps,
            ["num_input_tokens_seen"] = NumInputTokensSeen,
            ["num_train_epochs"] = NumTrainEpochs,
            ["save_steps"] = SaveSteps,
            ["stateful_callbacks"] = new Dictionary<string, object?> { ["TrainerControl"] = control },
            ["total_flos"] = TotalFlos,
            ["train_batch_size"] = TrainBatchSize,
            ["trial_name"] = null,
            ["trial_params"] = null,
        };
        return PythonJson.Serialize(state, indent: 2, sortKeys: true) + "\n";
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Writes the run's final <c>trainer_state.json</c> into <paramref name="outputDir"/> (a failure names the file and the step).</summary>
    public void SaveFinal(string outputDir)
    {
        string path = Path.Combine(outputDir, Checkpoints.CheckpointContents.StateFile);
        OutputWrite.Run(path, GlobalStep, () => Save(path));
    }

    /// <summary>
    /// The summary entry (<c>train_runtime</c>, …) of a run that already finished <paramref name="maxSteps"/> steps
    /// in <paramref name="outputDir"/>, or null: resuming such a run has nothing left to do, and must not append
    /// another summary line to <c>metrics.jsonl</c>.
    /// </summary>
    internal static Dictionary<string, object?>? FinishedSummary(string outputDir, long maxSteps)
    {
        string path = Path.Combine(outputDir, "trainer_state.json");
        if (!File.Exists(path)) return null;
        var state = Load(path);
        return state.GlobalStep >= maxSteps && state.LogHistory is [.., var last] && last.ContainsKey("train_runtime") ? last : null;
    }

    /// <summary>Reads a <c>trainer_state.json</c> (ours or the HF Trainer's, bare NaN/Infinity allowed).</summary>
    /// <exception cref="InvalidDataException">The file is not a trainer state.</exception>
    public static TrainerState Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(QuoteNonFinite(File.ReadAllText(path))) as JsonObject
                   ?? throw new InvalidDataException($"{path}: not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        long Long(string key, long fallback = 0) => root[key] is JsonValue v ? (long)v.GetValue<double>() : fallback;
        var state = new TrainerState
        {
            Epoch = root["epoch"] is JsonValue ep ? ep.GetValue<double>() : 0,
            GlobalStep = Long("global_step"),
            MaxSteps = Long("max_steps"),
            LoggingSteps = Long("logging_steps", 500),
            EvalSteps = Long("eval_steps", 500),
            SaveSteps = Long("save_steps", 500),
            TrainBatchSize = Long("train_batch_size"),
            NumTrainEpochs = Long("num_train_epochs"),
            NumInputTokensSeen = Long("num_input_tokens_seen"),
            TotalFlos = root["total_flos"] is JsonValue tf ? tf.GetValue<double>() : 0,
            BestMetric = root["best_metric"] is JsonValue bm ? bm.GetValue<double>() : null,
            BestGlobalStep = root["best_global_step"] is JsonValue bg ? (long)bg.GetValue<double>() : null,
            BestModelCheckpoint = root["best_model_checkpoint"]?.GetValue<string>(),
        };
        foreach (var entry in root["log_history"] as JsonArray ?? new JsonArray())
        {
            var log = new Dictionary<string, object?>();
            foreach (var (k, v) in entry!.AsObject()) log[k] = ToValue(v);
            state.LogHistory.Add(log);
        }
        return state;
    }

    static object? ToValue(JsonNode? node)
    {
        if (node is not JsonValue v) return node?.ToJsonString();
        var element = v.GetValue<JsonElement>();
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                string s = element.GetString()!;
                return s switch { "\u0000NaN" => double.NaN, "\u0000Infinity" => double.PositiveInfinity, "\u0000-Infinity" => double.NegativeInfinity, _ => s };
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                return raw.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 && long.TryParse(raw, out long l) ? (object)l : element.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }

    /// <summary>Turns Python's bare NaN/Infinity/-Infinity tokens (outside strings) into marked strings.</summary>
    static string QuoteNonFinite(string json)
    {
        var sb = new System.Text.StringBuilder(json.Length);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            foreach (string token in new[] { "-Infinity", "Infinity", "NaN" })
                if (string.CompareOrdinal(json, i, token, 0, token.Length) == 0)
                {
                    sb.Append("\"\\u0000").Append(token).Append('"');
                    i += token.Length - 1;
                    goto next;
                }
            sb.Append(c);
            next:;
        }
        return sb.ToString();
    }
}
