using VisionGrpo.Data.Synthetic;
using VisionGrpo.Lora;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Tests.Vision;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// Issue 18 on the GRPO trainer: one bad image never ends a run (at load or at training time, resume included),
/// the output folder has one writer, nonsense sizes are refused before libtorch allocates, non-finite steps are
/// logged as NaN and never blamed on a "good" checkpoint, and a finished run re-run appends nothing.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class RunReliabilityTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    readonly string _out = Path.Combine(fixture.Root, "rel-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A JSONL dataset of <paramref name="rows"/> synthetic images (imgs/i.png); returns the folder.</summary>
    string ImageRows(int rows)
    {
        string dir = Path.Combine(fixture.Root, "rows-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "imgs"));
        var generator = new VisualMathGenerator(3);
        for (int i = 0; i < rows; i++) File.WriteAllBytes(Path.Combine(dir, "imgs", $"{i}.png"), generator.Make(i).Image);
        File.WriteAllLines(Path.Combine(dir, "train.jsonl"),
            Enumerable.Range(0, rows).Select(i => $"{{\"image\": \"imgs/{i}.png\", \"problem\": \"How many? {i}\", \"solution\": \"{i}\"}}"));
        return dir;
    }

    RecipeConfig Recipe(string data, params string[] overrides) =>
        fixture.Recipe(_out, [$"dataset_name={data}", "test_size=null", "save_strategy=no", .. overrides]);

    GrpoTrainer Trainer(RecipeConfig recipe, List<string>? warnings = null) =>
        recipe.ToGrpoTrainer(new TrainerEvents { Warning = w => warnings?.Add(w) }, [new TextLengthReward()]);

    [Fact]
    public void A_decompression_bomb_mid_dataset_is_a_skipped_row_and_a_resume_across_it_completes()
    {
        string data = ImageRows(5);
        File.WriteAllBytes(Path.Combine(data, "imgs", "2.png"), ImageDecoderTests.PngHeaderOnly(50000, 50000)); // 69 bytes, 2.5e9 pixels
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var recipe = Recipe(data, "max_steps=5", "save_strategy=steps", "save_steps=10");
        using (var first = recipe.ToGrpoTrainer(new TrainerEvents { Step = s => { if (s.Step == 2) stop.Cancel(); } }, [new TextLengthReward()]))
        {
            Assert.Equal(1, first.Data.BadRows.Count);
            Assert.Contains("row 2", first.Data.BadRows.Examples[0].ToString());
            Assert.Contains("decompression bomb", first.Data.BadRows.Examples[0].Reason);
            Assert.Equal(4, first.Data.Train.Count);
            Assert.Throws<TrainingStoppedException>(() => first.Train(stop.Token));
        }
        using var resumed = Trainer(Recipe(data, "max_steps=5", "save_strategy=steps", "save_steps=10", "resume_from_checkpoint=true"));
        Assert.Equal(1, resumed.Data.BadRows.Count);
        Assert.Equal(5L, Convert.ToInt64(resumed.Train(TestContext.Current.CancellationToken)["step"]));
    }

    [Fact]
    public void A_row_that_fails_only_at_training_time_is_skipped_counted_and_replaced()
    {
        string data = ImageRows(5);
        var warnings = new List<string>();
        using var trainer = Trainer(Recipe(data, "max_steps=5"), warnings);
        Assert.Equal(0, trainer.Data.BadRows.Count);
        // After validation the file changes into an image the processor refuses (aspect ratio 500): 1 prompt per
        // round over 5 rows, so the first epoch meets it.
        File.WriteAllBytes(Path.Combine(data, "imgs", "3.png"), PngOfSize(1000, 2));
        Assert.Equal(5L, Convert.ToInt64(trainer.Train(TestContext.Current.CancellationToken)["step"]));
        Assert.Equal(1, trainer.Data.BadRows.Count);
        Assert.Contains("row 3", trainer.Data.BadRows.Examples[0].ToString());
        Assert.Contains("aspect ratio", trainer.Data.BadRows.Examples[0].Reason);
        Assert.Single(warnings, w => w.Contains("skipped a training row"));
    }

    /// <summary>Adds a <c>test</c> split of <paramref name="rows"/> images (imgs/t&lt;i&gt;.png) to the dataset folder <paramref name="data"/>.</summary>
    static void TestSplit(string data, int rows)
    {
        var generator = new VisualMathGenerator(7);
        for (int i = 0; i < rows; i++) File.WriteAllBytes(Path.Combine(data, "imgs", $"t{i}.png"), generator.Make(i).Image);
        File.WriteAllLines(Path.Combine(data, "test.jsonl"),
            Enumerable.Range(0, rows).Select(i => $"{{\"image\": \"imgs/t{i}.png\", \"problem\": \"How many? {i}\", \"solution\": \"{i}\"}}"));
    }

    [Fact]
    public void A_held_out_row_that_fails_at_evaluation_time_is_skipped_and_counted_in_before_after_and_eval_strategy()
    {
        string data = ImageRows(3);
        TestSplit(data, 3);
        var warnings = new List<string>();
        using var trainer = Trainer(Recipe(data, "max_steps=1", "dataset_test_split=test", "eval_strategy=steps", "eval_steps=1"), warnings);
        Assert.Equal(3, trainer.Data.Test!.Count);
        // After validation the first held-out image changes into one the processor refuses: the before, step-1 and
        // after evaluations skip it, and the sample generation (first held-out row) takes the next row.
        File.WriteAllBytes(Path.Combine(data, "imgs", "t0.png"), PngOfSize(1000, 2));
        var result = BeforeAfterRun.Run(trainer, _out, TestContext.Current.CancellationToken);
        Assert.Equal(1, result.Steps);
        Assert.True(File.Exists(Path.Combine(_out, BeforeAfterRun.SummaryFile)));
        Assert.Contains("How many? 1", result.Sample.Prompt);
        var eval = File.ReadAllLines(Path.Combine(_out, "metrics.jsonl")).Single(l => l.Contains("eval_runtime"));
        Assert.Contains("\"eval_skipped_rows\": 1", eval);
        // before, step 1, after, sample: each says which row and why.
        Assert.Equal(4, warnings.Count(w => w.Contains("skipped an evaluation row") && w.Contains("row 0") && w.Contains("aspect ratio")));
    }

    [Fact]
    public void Visiongrpo_eval_skips_and_counts_a_row_that_fails_at_batch_time()
    {
        string data = ImageRows(3);
        TestSplit(data, 3);
        using var session = VisionGrpo.Cli.Commands.EvalSession.Open(new VisionGrpo.Cli.Commands.EvalRequest
        {
            Model = fixture.Model, Dataset = data, Split = "test", RewardFuncs = "format", MaxNewTokens = 2, BatchSize = 2,
        });
        File.WriteAllBytes(Path.Combine(data, "imgs", "t1.png"), PngOfSize(1000, 2));
        var result = session.Run();
        Assert.Equal(2, result.Rows);
        Assert.Equal([0, 2], result.Samples.Select(s => s.RowIndex));
        var skipped = Assert.Single(result.SkippedRows);
        Assert.Contains("row 1", skipped.ToString());
        Assert.Contains("aspect ratio", skipped.Reason);
    }

    static byte[] PngOfSize(int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        return image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100).ToArray();
    }

    [Fact]
    public void A_second_writer_on_the_output_folder_is_refused()
    {
        using var holder = OutputDirLock.Acquire(_out);
        var e = Assert.Throws<IOException>(() => fixture.Recipe(_out).ToGrpoTrainer(rewards: [new TextLengthReward()]));
        Assert.Contains("in use by another training run", e.Message);
        holder.Dispose();
        using var trainer = fixture.Recipe(_out, "max_steps=1").ToGrpoTrainer(rewards: [new TextLengthReward()]);
        Assert.Throws<IOException>(() => OutputDirLock.Acquire(_out)); // held for the trainer's lifetime
    }

    [Theory]
    [InlineData("seed=-1", "seed")]
    [InlineData("torch_threads=100000", "torch_threads")]
    [InlineData("torch_threads=-4", "torch_threads")]
    public void Nonsense_settings_are_refused_naming_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => fixture.Recipe(_out, set));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void A_huge_lora_rank_is_refused_before_allocating_from_the_recipe_or_an_adapter()
    {
        var e = Assert.Throws<ArgumentException>(() => fixture.Recipe(_out, "lora_r=100000000").ToGrpoTrainer(rewards: [new TextLengthReward()]));
        Assert.Contains("LoRA r = 100000000 needs", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_out, "checkpoint-1")));

        string adapter = Path.Combine(_out, "adapter");
        Directory.CreateDirectory(adapter);
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"),
            "{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": 1000000000, \"lora_alpha\": 16, \"target_modules\": [\"q_proj\"]}");
        using var model = ModelFolder.Load(fixture.Model);
        e = Assert.Throws<ArgumentException>(() => PeftModel.Load(model, adapter));
        Assert.Contains("adapter_config.json", e.Message);
    }

    [Fact]
    public void The_last_good_checkpoint_has_finite_weights_and_did_not_produce_the_divergence()
    {
        var store = new CheckpointStore(_out);
        foreach (var (step, value) in new[] { (1L, 1f), (2L, float.NaN), (3L, 1e30f) })
            store.Save(step, dir =>
            {
                File.WriteAllText(Path.Combine(dir, CheckpointContents.StateFile), "{}");
                using var weights = TorchSharp.torch.full(4, value);
                VisionGrpo.Tensors.SafetensorsWriter.Save(Path.Combine(dir, "adapter_model.safetensors"), [new("w", weights)]);
            }, totalLimit: null);
        // Step 4 diverged: checkpoint-3 (1e30, finite) made it, checkpoint-2 is NaN, so checkpoint-1 is the good one.
        Assert.Equal(store.PathFor(1), store.LastGood(4));
        Assert.Equal(store.PathFor(3), store.LastGood(5));
        Assert.Null(store.LastGood(2));
    }

    [Fact]
    public void Re_running_a_finished_run_appends_nothing()
    {
        using (var trainer = fixture.Recipe(_out, "max_steps=2").ToGrpoTrainer(rewards: [new TextLengthReward()]))
            trainer.Train(TestContext.Current.CancellationToken);
        var before = File.ReadAllLines(Path.Combine(_out, "metrics.jsonl"));
        for (int i = 0; i < 2; i++)
        {
            using var again = fixture.Recipe(_out, "max_steps=2", "resume_from_checkpoint=true").ToGrpoTrainer(rewards: [new TextLengthReward()]);
            Assert.Equal(2L, Convert.ToInt64(again.Train(TestContext.Current.CancellationToken)["step"]));
        }
        Assert.Equal(before, File.ReadAllLines(Path.Combine(_out, "metrics.jsonl")));
    }
}
