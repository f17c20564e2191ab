using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Optim;

namespace VisionGrpo.Training.Checkpoints;

/// <summary>
/// What every trainer puts in <c>checkpoint-N/</c> (the HF Trainer's layout): the adapter or model with the
/// processor files, the recipe, the optimizer and scheduler state (unless <c>save_only_model</c>), trainer-specific
/// files, and <c>trainer_state.json</c> last (its presence marks a complete checkpoint).
/// </summary>
internal static class CheckpointContents
{
    /// <summary>File name of the scheduler state.</summary>
    public const string SchedulerFile = "scheduler.json";
    /// <summary>File name of the HF trainer state.</summary>
    public const string StateFile = "trainer_state.json";
    /// <summary>File name of the recipe.</summary>
    public const string ArgsFile = "training_args.yaml";

    /// <summary>What TRL's <c>save_model</c> writes (also the first part of a checkpoint): the adapter or model with the processor files, and the run's configuration.</summary>
    public static void WriteModel(string dir, PolicyModel policy, string configText)
    {
        policy.Save(dir, policy.BaseModelNameOrPath);
        File.WriteAllText(Path.Combine(dir, ArgsFile), configText);
    }

    /// <summary>Writes the checkpoint files into <paramref name="dir"/>.</summary>
    /// <param name="dir">The (temporary) checkpoint folder.</param>
    /// <param name="policy">The model and adapters.</param>
    /// <param name="configText">The run's configuration (saved as <see cref="ArgsFile"/>).</param>
    /// <param name="saveOnlyModel"><c>save_only_model</c>: leave out the optimizer, scheduler and trainer files.</param>
    /// <param name="state">The trainer state.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">The LR scheduler.</param>
    /// <param name="trainerFiles">Writes a trainer's own resume files (skipped with <c>save_only_model</c>).</param>
    public static void Write(string dir, PolicyModel policy, string configText, bool saveOnlyModel, TrainerState state,
        ITrainingOptimizer optimizer, LrScheduler scheduler, Action<string>? trainerFiles = null)
    {
        WriteModel(dir, policy, configText);
        if (!saveOnlyModel)
        {
            optimizer.Save(Path.Combine(dir, AdamWOptimizer.StateFileName));
            File.WriteAllText(Path.Combine(dir, SchedulerFile), scheduler.StateDict().ToJsonString() + "\n");
            trainerFiles?.Invoke(dir);
        }
        state.Save(Path.Combine(dir, StateFile));
    }

    /// <summary>
    /// Reads back the trainer state <see cref="Write"/> saved (step, epoch, tokens seen, FLOs, log history) into
    /// <paramref name="state"/>.
    /// </summary>
    public static void RestoreState(string dir, TrainerState state)
    {
        var saved = TrainerState.Load(Path.Combine(dir, StateFile));
        state.GlobalStep = saved.GlobalStep;
        state.Epoch = saved.Epoch;
        state.NumInputTokensSeen = saved.NumInputTokensSeen;
        state.TotalFlos = saved.TotalFlos;
        state.LogHistory.AddRange(saved.LogHistory);
    }

    /// <summary>Reads back the optimizer and scheduler state <see cref="Write"/> saved.</summary>
    /// <exception cref="InvalidDataException">The checkpoint was saved without optimizer or scheduler state.</exception>
    public static void RestoreOptimizer(string dir, ITrainingOptimizer optimizer, LrScheduler scheduler)
    {
        string optimizerFile = Path.Combine(dir, AdamWOptimizer.StateFileName), schedulerFile = Path.Combine(dir, SchedulerFile);
        foreach (var file in new[] { optimizerFile, schedulerFile })
            if (!File.Exists(file)) throw new InvalidDataException($"'{file}' is missing (saved with save_only_model?): the checkpoint cannot be resumed.");
        optimizer.Load(optimizerFile);
        scheduler.LoadStateDict(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(schedulerFile))!.AsObject());
    }
}
