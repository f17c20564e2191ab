using System.Text.Json.Nodes;

namespace VisionGrpo.Training;

/// <summary>
/// Where a run stands, beyond the HF <c>trainer_state.json</c>: the data position (see <see cref="DataPosition"/>;
/// inside a batch, the position of its start), micro-steps into the current batch, the loss accumulated since the last log and the metrics not
/// yet logged. Saved in every checkpoint as <c>trainer_progress.json</c> so a resumed run continues exactly.
/// </summary>
public sealed class TrainingProgress
{
    /// <summary>File name inside a checkpoint.</summary>
    public const string FileName = "trainer_progress.json";

    /// <summary>Data position of the next batch, or of the current one while it is not used up.</summary>
    public DataPosition Position { get; set; }
    /// <summary>Micro-steps done in total.</summary>
    public long MicroSteps { get; set; }
    /// <summary>Micro-steps already done on the current batch (0 at a batch boundary).</summary>
    public int MicroStepsIntoBatch { get; set; }
    /// <summary>Σ step losses since the last logging event.</summary>
    public double LossSinceLog { get; set; }
    /// <summary>Global step of the last logging event.</summary>
    public long LastLoggedStep { get; set; }
    /// <summary>Σ of all step losses (for <c>train_loss</c>).</summary>
    public double TotalLoss { get; set; }
    /// <summary>Steps skipped for a non-finite loss or gradient norm.</summary>
    public long SkippedSteps { get; set; }
    /// <summary>Buffered metrics not yet logged (see <see cref="Logging.GrpoMetricsBuffer.ToJson"/>).</summary>
    public JsonArray Metrics { get; set; } = [];

    /// <summary>Writes the file.</summary>
    public void Save(string path)
    {
        var json = new JsonObject
        {
            ["epoch"] = Position.Epoch, ["round"] = Position.Round, ["rounds_sampled"] = Position.RoundsSampled, ["micro_steps"] = MicroSteps,
            ["micro_steps_into_batch"] = MicroStepsIntoBatch,
            ["loss_since_log"] = LossSinceLog.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["last_logged_step"] = LastLoggedStep,
            ["total_loss"] = TotalLoss.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["skipped_steps"] = SkippedSteps,
            ["metrics"] = JsonNode.Parse(Metrics.ToJsonString()),
        };
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads the file.</summary>
    /// <exception cref="InvalidDataException">It is missing or malformed (the message names it).</exception>
    public static TrainingProgress Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"'{path}' is missing: the checkpoint was saved with save_only_model or by another tool and cannot be resumed exactly.");
        try
        {
            var j = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            double D(string k) => double.Parse(j[k]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            return new TrainingProgress
            {
                Position = new DataPosition(j["epoch"]!.GetValue<int>(), j["round"]!.GetValue<int>(), j["rounds_sampled"]!.GetValue<long>()),
                MicroSteps = j["micro_steps"]!.GetValue<long>(),
                MicroStepsIntoBatch = j["micro_steps_into_batch"]!.GetValue<int>(), LossSinceLog = D("loss_since_log"),
                LastLoggedStep = j["last_logged_step"]!.GetValue<long>(), TotalLoss = D("total_loss"),
                SkippedSteps = j["skipped_steps"]!.GetValue<long>(), Metrics = j["metrics"]!.AsArray().DeepClone().AsArray(),
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is malformed: {e.Message}", e);
        }
    }
}
