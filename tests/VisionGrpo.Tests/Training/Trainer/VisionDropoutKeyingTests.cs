using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Rollout;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// With LoRA on the vision tower and dropout on, a prompt's rollout and its completions' scores (the loss's log-probs)
/// are the same whether the prompt is processed alone or with other prompts, in any order — what a data-parallel rank
/// holding part of a round must reproduce. The vision tower runs once per prompt in rollouts (images keyed by round
/// seed and global prompt index) and once per completion row in scoring (each row's copy of its images keyed by the
/// row's key).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class VisionDropoutKeyingTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    [Fact]
    public void A_prompts_rollout_and_scores_do_not_depend_on_the_prompts_batched_with_it()
    {
        var recipe = fixture.Recipe(Path.Combine(fixture.Root, "vision-dropout"), "lora_dropout=0.5",
            "lora_target_modules=[q_proj,v_proj,qkv,attn.proj,mlp.0,mlp.2]");
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        Assert.Contains(policy.Peft!.Layers, l => l.Name.StartsWith("visual.", StringComparison.Ordinal));
        // A fresh adapter's B is zero, so its dropout could not change anything: give every adapter weights.
        torch.manual_seed(8);
        using (torch.no_grad()) foreach (var layer in policy.Peft.Layers) layer.B.normal_(0, 0.1);
        policy.Model.train(); // as in training: LoRA dropout on in rollouts and scoring
        var options = RecipeMapping.ToGrpoOptions(recipe) with { RewardWeights = [1.0] };
        var tok = policy.Text.Tokenizer;
        var generation = RecipeMapping.ToGenerationOptions(recipe).Resolve(null, tok.EosTokenId, tok.PadTokenId);
        var rollouts = new RolloutGenerator(policy, policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), [new TextLengthReward()], options, generation);
        var rows = RecipeDatasets.Load(recipe).Train;
        const long seed = 11;
        var ct = TestContext.Current.CancellationToken;

        // A round of prompts 0, 1, 2 (4 completions each), and prompt 1 alone as a rank holding completions [4, 8).
        // torch's generator is reset before each: any mask still drawn from it would differ by the image's offset.
        torch.manual_seed(1);
        var wholeGroups = rollouts.Sample([rows[0], rows[1], rows[2]], seed, ct);
        torch.manual_seed(1);
        var aloneGroups = rollouts.Sample([rows[1]], seed, ct, firstSequence: 4);
        Assert.Equal(wholeGroups[1].CompletionIds, aloneGroups[0].CompletionIds);
        using var whole = RolloutAssembler.Assemble(wholeGroups, rollouts.RewardNames, options, generation.EosTokenIds[0], generation.PadTokenId, policy.Device);
        using var alone = RolloutAssembler.Assemble(aloneGroups, rollouts.RewardNames, options, generation.EosTokenIds[0], generation.PadTokenId, policy.Device);
        Assert.NotNull(whole.Images);
        Assert.False(whole.Images!.AreEmbeddings); // the vision tower trains, so scoring runs it on the pixels

        // Scoring: row k of the round keyed by k, wherever and with whatever it is batched.
        float[][] Logps(RolloutBatch batch, int[] rowsOfBatch, int firstCompletion)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var micro = batch.Slice(rowsOfBatch);
            torch.manual_seed(2);
            var keys = rowsOfBatch.Select(r => CounterRandom.Key(seed, 0x7E57, firstCompletion + r)).ToArray();
            var (logps, _) = PolicyScorer.Score(policy.Model, micro, 1.0, withEntropies: false, keys);
            var masked = (logps * micro.CompletionMask).cpu();
            return Enumerable.Range(0, rowsOfBatch.Length).Select(i => masked[i].data<float>().ToArray()).ToArray();
        }
        var all = Logps(whole, Enumerable.Range(0, 12).ToArray(), 0);
        var mixed = Logps(whole, [6, 4, 0, 7, 5], 0);
        var own = Logps(alone, [0, 1, 2, 3], 4);
        for (int s = 0; s < 4; s++)
        {
            var expected = own[s];
            AssertClose(expected, all[4 + s], $"sample {s} in the whole round");
            AssertClose(expected, mixed[Array.IndexOf([6, 4, 0, 7, 5], 4 + s)], $"sample {s} in a reordered mixed micro-batch");
        }
        // The comparison means something: unkeyed (torch's) dropout gives other scores.
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var micro = alone.Slice([0, 1, 2, 3]);
            var (unkeyed, _) = PolicyScorer.Score(policy.Model, micro, 1.0, withEntropies: false);
            var values = (unkeyed * micro.CompletionMask).cpu();
            Assert.Contains(Enumerable.Range(0, 4), s => values[s].data<float>().ToArray().Zip(own[s]).Any(p => Math.Abs(p.First - p.Second) > 1e-3));
        }
    }

    /// <summary>Equal on the shorter width; the longer one's extra (right-padded) columns are masked to zero.</summary>
    static void AssertClose(float[] expected, float[] actual, string what)
    {
        int width = Math.Min(expected.Length, actual.Length);
        Assert.All(expected.Skip(width).Concat(actual.Skip(width)), v => Assert.Equal(0f, v));
        for (int t = 0; t < width; t++)
            Assert.True(Math.Abs(expected[t] - actual[t]) <= 1e-4, $"{what}, token {t}: {expected[t]} vs {actual[t]}");
    }
}
