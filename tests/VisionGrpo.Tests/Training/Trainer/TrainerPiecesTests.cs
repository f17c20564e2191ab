using VisionGrpo.Data.Loading;
using VisionGrpo.Recipes;
using VisionGrpo.Text;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Rollout;
using VisionGrpo.Vision;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>The trainer's pure pieces: protected truncation, the repeat sampler, batch arithmetic, prompt building.</summary>
public sealed class TrainerPiecesTests
{
    static readonly HashSet<int> Protected = [100, 101, 102];

    [Fact]
    public void TruncationKeepsEveryProtectedTokenAndTheRightmostOthers()
    {
        // [sys sys sys <vs> img img <ve> q1 q2 q3] → 7 tokens: 4 protected + the 3 rightmost others.
        int[] ids = [1, 2, 3, 101, 100, 100, 102, 7, 8, 9];
        Assert.Equal(new[] { 101, 100, 100, 102, 7, 8, 9 }, ProtectedTruncation.Truncate(ids, 7, Protected));
        Assert.Equal(new[] { 3, 101, 100, 100, 102, 7, 8, 9 }, ProtectedTruncation.Truncate(ids, 8, Protected));
        Assert.Equal(ids, ProtectedTruncation.Truncate(ids, 10, Protected));
        Assert.Equal(new[] { 101, 100, 100, 102 }, ProtectedTruncation.Truncate(ids, 4, Protected));
        var e = Assert.Throws<ArgumentException>(() => ProtectedTruncation.Truncate(ids, 3, Protected));
        Assert.Contains("max_prompt_length = 3", e.Message);
    }

    [Fact]
    public void SamplerDrawsAPermutationPerEpochAndDropsThePartialChunk()
    {
        var sampler = new RepeatSampler(datasetSize: 10, promptsPerRound: 3, shuffle: true, seed: 42);
        Assert.Equal(3, sampler.RoundsPerEpoch);
        var epoch0 = sampler.Permutation(0);
        Assert.Equal(Enumerable.Range(0, 10), epoch0.Order());
        Assert.Equal(epoch0[3..6], sampler.Round(0, 1));
        Assert.NotEqual(epoch0, sampler.Permutation(1));
        // The generator is seeded once: a fresh sampler repeats both epochs, in order.
        var again = new RepeatSampler(10, 3, true, 42);
        Assert.Equal(sampler.Permutation(1), again.Round(1, 0).Concat(again.Round(1, 1)).Concat(again.Round(1, 2)).Concat(again.Permutation(1)[9..]));
        Assert.Equal(Enumerable.Range(0, 10), new RepeatSampler(10, 3, shuffle: false, seed: 42).Permutation(3));
        Assert.Throws<ArgumentException>(() => new RepeatSampler(2, 3, true, 1));
    }

    [Theory]
    [InlineData(2, 2, 1, null, null, 1, 1, false)]   // the cookbook: 1 prompt x 2 generations per step
    [InlineData(4, 4, 2, null, null, 2, 2, false)]   // S defaults to GA: one round per optimizer step
    [InlineData(4, 4, 1, 8, null, 2, 2, true)]       // generation_batch_size 8 with GA 1: the round outlives a step
    [InlineData(4, 2, 1, null, 3, 3, 6, true)]
    public void BatchPlanFollowsTrl(int b, int g, int ga, int? gb, int? s, int expectedS, int expectedU, bool needsOld)
    {
        var recipe = RecipeLoader.Load(null, [$"per_device_train_batch_size={b}", $"num_generations={g}", $"gradient_accumulation_steps={ga}",
            .. gb is null ? Array.Empty<string>() : [$"generation_batch_size={gb}"], .. s is null ? Array.Empty<string>() : [$"steps_per_generation={s}"]]);
        var plan = GrpoBatchPlan.From(RecipeMapping.ToGrpoConfig(recipe));
        Assert.Equal(expectedS, plan.StepsPerGeneration);
        Assert.Equal(expectedU, plan.PromptsPerRound);
        Assert.Equal(needsOld, plan.NeedsOldLogps);
    }

    [Theory]
    [InlineData("num_generations=3", "divisible by num_generations")]
    [InlineData("generation_batch_size=6", "divisible by per_device_train_batch_size")]
    [InlineData("num_generations=1", "num_generations must be")]
    [InlineData("reward_funcs=[]", "reward_funcs is empty")]
    public void BatchKeysAreCheckedAtLoadTimeNamingTheKey(string bad, string message)
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load(null, ["per_device_train_batch_size=4", "num_generations=2", bad]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void CookbookStepCountIs307()
    {
        var recipe = RecipeLoader.Load(Path.Combine(TestPaths.RepoRoot, "recipes", "qwen2_5_vl_3b_grpo.yaml"), []);
        var plan = GrpoBatchPlan.From(RecipeMapping.ToGrpoConfig(recipe));
        var sampler = new RepeatSampler(307, plan.PromptsPerRound, true, recipe.Seed);
        Assert.Equal(307, (int)Math.Ceiling(recipe.NumTrainEpochs * plan.UpdatesPerEpoch(sampler.RoundsPerEpoch)));
    }

    [Fact]
    public void PromptsAreTheChatTemplatedImageThenProblemLeftPadded()
    {
        string tok = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");
        var text = VlTextProcessor.FromDirectory(tok);
        var images = new QwenImageProcessor(ImageProcessorConfig.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "qwen2_5_vl_tiny")));
        string data = Path.Combine(Path.GetTempPath(), "vg-prompts-" + Guid.NewGuid().ToString("N"));
        try
        {
            VisionGrpo.Data.Synthetic.SynthDatasetWriter.Write(data, new VisionGrpo.Data.Synthetic.VisualMathGenerator(3), rows: 3, shards: 1);
            var rows = DatasetLoader.Load(data).Rows().ToList();
            var builder = new PromptBuilder(text, images, SystemPrompts.R1);
            using var batch = builder.Build(rows);
            Assert.StartsWith("<|im_start|>system\n" + SystemPrompts.R1 + "<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>" + rows[0].GetString("problem"), batch.Texts[0]);
            Assert.EndsWith("<|im_end|>\n<|im_start|>assistant\n", batch.Texts[0]);
            var ids = batch.Inputs.InputIds;
            Assert.Equal(batch.Lengths.Max(), (int)ids.shape[1]);
            var mask = batch.Inputs.AttentionMask!.data<long>().ToArray();
            for (int r = 0; r < rows.Count; r++)  // left padding: zeros first, then the real tokens
                Assert.Equal(Enumerable.Repeat(0L, (int)ids.shape[1] - batch.Lengths[r]).Concat(Enumerable.Repeat(1L, batch.Lengths[r])),
                    mask.Skip(r * (int)ids.shape[1]).Take((int)ids.shape[1]));
            Assert.Equal(rows.Count, (int)batch.Inputs.ImageGridThw!.shape[0]);

            // max_prompt_length cuts the system prompt first and keeps every image token.
            int imageTokens = (int)(batch.Inputs.InputIds[0] == text.Tokenizer.TokenToId("<|image_pad|>")!.Value).sum().item<long>();
            using var cut = new PromptBuilder(text, images, SystemPrompts.R1, maxPromptLength: imageTokens + 30).Build(rows);
            Assert.Equal(imageTokens + 30, cut.Lengths[0]);
            Assert.Equal(imageTokens, (int)(cut.Inputs.InputIds[0] == text.Tokenizer.TokenToId("<|image_pad|>")!.Value).sum().item<long>());
            var e = Assert.Throws<ArgumentException>(() => new PromptBuilder(text, images, null, maxPromptLength: 3).Build(rows));
            Assert.Contains("max_prompt_length", e.Message);
        }
        finally { Directory.Delete(data, recursive: true); }
    }
}
