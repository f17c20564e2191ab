using System.Text.Json;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Sft;

using VisionGrpo.Tests.Training;

namespace VisionGrpo.Tests.Sft;

// Seeded LoRA init and dropout draw from torch's global generator: run alone (see GlobalRngCollection).
[Collection(GlobalRngCollection.Name)]
public sealed class SftTrainerTests : IDisposable
{
    readonly SftTinySetup _setup = new(rows: 8);

    public void Dispose() => _setup.Dispose();

    SftResult Train(RecipeConfig recipe, TrainerEvents? events = null, CancellationTokenSource? stop = null)
    {
        var data = RecipeDatasets.Load(recipe);
        string? resume = SftTrainer.CheckpointToResume(RecipeMapping.ToSftOptions(recipe));
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe), resume);
        var collator = new SftCollator(policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), policy.Text.Tokenizer, recipe.CompletionColumn);
        return new SftTrainer(policy, data.Train, collator, RecipeMapping.ToSftOptions(recipe), events, resume).Train(stop?.Token ?? TestContext.Current.CancellationToken);
    }

    static List<JsonElement> Metrics(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void Loss_decreases_and_the_run_writes_trl_logs_state_checkpoints_and_a_bf16_model()
    {
        var recipe = RecipeLoader.Load(null, _setup.Overrides("save_strategy=steps", "save_steps=2", "save_total_limit=2", "save_dtype=bfloat16"));
        var steps = new List<StepReport>();
        var result = Train(recipe, new TrainerEvents { Step = steps.Add });

        Assert.Equal(6, result.GlobalStep);
        Assert.Equal([1L, 2, 3, 4, 5, 6], steps.Select(s => s.Step));
        var logs = Metrics(_setup.OutputDir);
        var train = logs.Where(l => l.TryGetProperty("loss", out _)).ToList();
        Assert.Equal([2L, 4, 6], train.Select(l => l.GetProperty("step").GetInt64()));
        foreach (var key in new[] { "loss", "grad_norm", "learning_rate", "num_tokens", "mean_token_accuracy", "epoch", "step" })
            Assert.All(train, l => Assert.True(l.TryGetProperty(key, out _), key));
        double first = train[0].GetProperty("loss").GetDouble(), last = train[^1].GetProperty("loss").GetDouble();
        Assert.True(last < first - 0.5, $"loss went from {first} to {last}");
        Assert.True(train[^1].GetProperty("num_tokens").GetDouble() > train[0].GetProperty("num_tokens").GetDouble());
        // 8 rows in batches of 4: 2 steps per epoch, so step 2 ends epoch 1 and step 6 ends epoch 3.
        Assert.Equal([1.0, 2.0, 3.0], train.Select(l => l.GetProperty("epoch").GetDouble()));
        Assert.True(logs[^1].TryGetProperty("train_runtime", out _));
        // total_flos as the Trainer counts it: 6 x input_ids.numel() x non-embedding parameters, per micro-batch
        // (6 steps x 4 rows, each at least prompt + completion = 60 tokens long here).
        using (var model = ModelFolder.Load(_setup.ModelDir))
        {
            long parameters = model.parameters().Sum(p => p.numel()) - model.model.embed_tokens.weight!.numel();
            Assert.True(logs[^1].GetProperty("total_flos").GetDouble() >= 6.0 * parameters * 6 * 4 * 60, logs[^1].ToString());
        }

        using (var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(_setup.OutputDir, "trainer_state.json"))))
            Assert.Equal(6, state.RootElement.GetProperty("global_step").GetInt64());
        // save_total_limit 2 keeps the two newest checkpoints, each with optimizer and scheduler state.
        Assert.Equal(["checkpoint-4", "checkpoint-6"],
            Directory.GetDirectories(_setup.OutputDir, "checkpoint-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(_setup.OutputDir, "checkpoint-6", "optimizer.torchsharp")));
        Assert.True(File.Exists(Path.Combine(_setup.OutputDir, "checkpoint-6", "scheduler.json")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_setup.OutputDir, "runs"), "events.out.tfevents.*", SearchOption.AllDirectories));

        using var saved = ModelFolder.Load(_setup.OutputDir);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_setup.OutputDir, "config.json")));
        Assert.Equal("bfloat16", config.RootElement.GetProperty("dtype").GetString());
        using (var weights = VisionGrpo.Tensors.SafetensorsFile.Open(Path.Combine(_setup.OutputDir, "model.safetensors")))
            Assert.All(weights.Names, n => Assert.Equal(VisionGrpo.Tensors.SafetensorsDType.BF16, weights.Info(n).DType));
        Assert.True(File.Exists(Path.Combine(_setup.OutputDir, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(_setup.OutputDir, "preprocessor_config.json")));
    }

    [Fact]
    public void Same_seed_gives_the_same_losses_and_lora_saves_an_adapter()
    {
        var recipe = RecipeLoader.Load(null, _setup.Overrides("max_steps=2", "logging_steps=1"));
        Train(recipe);
        var a = Metrics(_setup.OutputDir).Where(l => l.TryGetProperty("loss", out _)).Select(l => l.GetProperty("loss").GetDouble()).ToList();
        Train(recipe);
        var b = Metrics(_setup.OutputDir).Where(l => l.TryGetProperty("loss", out _)).Select(l => l.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(a, b);

        var lora = RecipeLoader.Load(null, _setup.Overrides("max_steps=2", "use_peft=true", "lora_target_modules=[q_proj,v_proj]",
            $"output_dir={_setup.OutputDir}-lora"));
        Train(lora);
        Assert.True(File.Exists(Path.Combine(_setup.OutputDir + "-lora", "adapter_model.safetensors")));
        Assert.False(File.Exists(Path.Combine(_setup.OutputDir + "-lora", "model.safetensors")));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Freeze_options_keep_the_vision_blocks_and_the_merger_as_they_were(bool tower, bool projector)
    {
        Train(RecipeLoader.Load(null, _setup.Overrides("max_steps=2", "save_dtype=float32",
            $"freeze_vision_tower={tower}", $"freeze_multi_modal_projector={projector}")));
        using var before = ModelFolder.Load(_setup.ModelDir);
        using var after = ModelFolder.Load(_setup.OutputDir);
        var trained = after.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        bool Changed(string prefix) => before.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal))
            .Any(p => !p.parameter.allclose(trained[p.name], rtol: 0, atol: 0));
        Assert.Equal(!tower, Changed("visual.blocks."));
        Assert.Equal(!tower, Changed("visual.patch_embed."));
        Assert.Equal(!projector, Changed("visual.merger."));
        Assert.True(Changed("model.layers."));
    }

    [Fact]
    public void A_resumed_run_logs_and_saves_what_an_uninterrupted_one_does()
    {
        // LoRA with dropout (the global generator); checkpoint-3 sits inside an epoch (2 steps each) and inside a log
        // window (log every 2).
        string[] run = ["max_steps=6", "save_strategy=steps", "save_steps=3", "logging_steps=2", "use_peft=true",
            "lora_target_modules=[q_proj,v_proj]", "lora_dropout=0.1"];
        Train(RecipeLoader.Load(null, _setup.Overrides(run)));
        string adapter = Path.Combine(_setup.OutputDir, "adapter_model.safetensors");
        var logs = RunLogs.LogHistory(_setup.OutputDir).Select(RunLogs.WithoutTimings).ToList();
        byte[] weights = File.ReadAllBytes(adapter);
        File.Delete(adapter);
        Directory.Delete(Path.Combine(_setup.OutputDir, "checkpoint-6"), recursive: true);

        var steps = new List<StepReport>();
        var resumed = Train(RecipeLoader.Load(null, _setup.Overrides([.. run, "resume_from_checkpoint=true"])), new TrainerEvents { Step = steps.Add });
        Assert.Equal([4L, 5, 6], steps.Select(s => s.Step));
        Assert.Equal(6, resumed.GlobalStep);
        // Same log entries (step 2 from the checkpoint, step 4 from both halves of its window), timing keys aside.
        Assert.Equal(logs, RunLogs.LogHistory(_setup.OutputDir).Select(RunLogs.WithoutTimings));
        Assert.Equal(weights, File.ReadAllBytes(adapter));
    }

    [Fact]
    public void A_stop_request_saves_a_checkpoint_at_the_step_boundary_and_the_resume_ends_where_an_uninterrupted_run_does()
    {
        // What SIGTERM does in the CLI: the token is cancelled during step 2 (not a save step).
        string[] run = ["max_steps=4", "save_strategy=steps", "save_steps=10", "logging_steps=1"];
        Train(RecipeLoader.Load(null, _setup.Overrides(run)));
        var whole = RunLogs.LogHistory(_setup.OutputDir).SkipLast(1).Select(RunLogs.WithoutTimings).ToList();

        string stopped = _setup.OutputDir + "-stopped";
        using var stop = new CancellationTokenSource();
        var recipe = RecipeLoader.Load(null, _setup.Overrides([.. run, $"output_dir={stopped}"]));
        var e = Assert.Throws<TrainingStoppedException>(() => Train(recipe, new TrainerEvents { Step = s => { if (s.Step == 2) stop.Cancel(); } }, stop));
        Assert.Equal(2, e.Step);
        Assert.Equal(Path.Combine(stopped, "checkpoint-2"), e.Checkpoint);
        Assert.Equal(4, Train(RecipeLoader.Load(null, _setup.Overrides([.. run, $"output_dir={stopped}", "resume_from_checkpoint=true"]))).GlobalStep);
        Assert.Equal(whole, RunLogs.LogHistory(stopped).SkipLast(1).Select(RunLogs.WithoutTimings));
    }

    [Fact]
    public void A_non_finite_step_stops_with_the_step_or_is_skipped_and_logged_as_nan_with_a_count()
    {
        // learning_rate 1e30: step 1 is finite, its update makes every later step overflow.
        string[] run = ["max_steps=3", "logging_steps=1", "save_strategy=no", "learning_rate=1e30"];
        var e = Assert.Throws<TrainingDivergedException>(() => Train(RecipeLoader.Load(null, _setup.Overrides(run))));
        Assert.Contains("step 2", e.Message);
        Assert.Contains("skip_nonfinite_steps", e.Message);

        var warnings = new List<string>();
        var result = Train(RecipeLoader.Load(null, _setup.Overrides([.. run, "skip_nonfinite_steps=true"])), new TrainerEvents { Warning = warnings.Add });
        Assert.Equal(3, result.GlobalStep);
        Assert.Equal(2, warnings.Count(w => w.Contains("update skipped")));
        // The same lines GRPO writes: NaN for what the skipped steps were, not 0.0, and the running count.
        var logged = File.ReadAllLines(Path.Combine(_setup.OutputDir, "metrics.jsonl"));
        Assert.DoesNotContain("NaN", logged[0]);
        Assert.DoesNotContain("skipped_nonfinite_steps", logged[0]);
        Assert.Contains("\"loss\": NaN", logged[1]);
        Assert.Contains("\"grad_norm\": NaN", logged[1]);
        Assert.Contains("\"skipped_nonfinite_steps\": 1", logged[1]);
        Assert.Contains("\"skipped_nonfinite_steps\": 2", logged[2]);
    }

    [Theory]
    [InlineData("metrics.jsonl", 2L)]
    [InlineData("trainer_state.json", 3L)]
    [InlineData("", 3L)]  // the output folder itself: the final save_model
    public void A_full_disk_names_the_file_and_the_step_and_keeps_the_earlier_log_lines(string file, long step)
    {
        string output = _setup.OutputDir;
        bool Fails(string path) => path.StartsWith(output, StringComparison.Ordinal)
            && (file == "" ? path.TrimEnd('/') == output : Path.GetFileName(path) == file);
        var recipe = RecipeLoader.Load(null, _setup.Overrides("max_steps=3", "logging_steps=1", "save_strategy=no"));
        var e = Training.Trainer.FullDiskTests.RunWithFullDisk(Fails, step, () => Train(recipe));
        Assert.Contains($"step {step}: writing '{(file == "" ? output : Path.Combine(output, file))}' failed", e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(file == "metrics.jsonl" ? [1L] : [1L, 2, 3], Metrics(output).Select(m => m.GetProperty("step").GetInt64()).Take(3));
    }

    [Fact]
    public void A_missing_completion_column_names_the_row_and_the_column()
    {
        var recipe = RecipeLoader.Load(null, _setup.Overrides("completion_column=answer_text"));
        var e = Assert.Throws<InvalidDataException>(() => Train(recipe));
        Assert.Contains("answer_text", e.Message);
        Assert.Contains("completion_column", e.Message);
    }

    [Fact]
    public void Bad_sft_options_are_config_errors()
    {
        Assert.Contains("save_dtype", Assert.Throws<ConfigException>(() => RecipeMapping.ToSftOptions(RecipeLoader.Load(null, ["save_dtype=int8"]))).Message);
        Assert.Contains("completion_column", Assert.Throws<ConfigException>(() => RecipeMapping.ToSftOptions(RecipeLoader.Load(null, ["completion_column= "]))).Message);
        Assert.Contains("resume_from_checkpoint", Assert.Throws<DirectoryNotFoundException>(() =>
            Train(RecipeLoader.Load(null, _setup.Overrides("resume_from_checkpoint=true")))).Message);
    }
}
