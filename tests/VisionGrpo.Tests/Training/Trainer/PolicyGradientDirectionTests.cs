using TorchSharp;
using VisionGrpo.Generation;
using VisionGrpo.Recipes;
using VisionGrpo.Training;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Rollout;
using Xunit;

namespace VisionGrpo.Tests.Training.Trainer;

/// <summary>
/// The whole chain rollout → rewards → advantages → scoring → loss → update points the right way: a small gradient
/// step on the GRPO loss raises Σ advantage × log-likelihood of the batch's completions (the policy-gradient
/// objective), i.e. above-average completions gain probability relative to below-average ones.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class PolicyGradientDirectionTests(TrainerFixture fixture) : IClassFixture<TrainerFixture>
{
    [Fact]
    public void OneStepRaisesTheLikelihoodOfAboveAverageCompletions()
    {
        var recipe = fixture.Recipe(Path.Combine(fixture.Root, "direction"), "max_completion_length=5", "lora_dropout=0", "num_generations=4");
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        var options = RecipeMapping.ToGrpoOptions(recipe) with { RewardWeights = [1.0] };
        var tok = policy.Text.Tokenizer;
        var generation = RecipeMapping.ToGenerationOptions(recipe).Resolve(null, tok.EosTokenId, tok.PadTokenId);
        var rollouts = new RolloutGenerator(policy, policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), [new TextLengthReward()], options, generation);
        var rows = RecipeDatasets.Load(recipe).Train;
        using var batch = RolloutAssembler.Assemble(rollouts.Sample([rows[0], rows[1]], seed: 11, TestContext.Current.CancellationToken), rollouts.RewardNames, options,
            generation.EosTokenIds[0], generation.PadTokenId, policy.Device);
        var advantages = batch.Advantages.data<float>().ToArray();
        Assert.Contains(advantages, a => a > 0.1);

        var all = Enumerable.Range(0, batch.Count).ToArray();
        double[] SequenceLogps()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var micro = batch.Slice(all);
            var (logps, _) = PolicyScorer.Score(policy.Model, micro, 1.0, withEntropies: false);
            return (logps * micro.CompletionMask).sum(1).to(torch.float64).data<double>().ToArray();
        }
        var before = SequenceLogps();
        using (var scope = torch.NewDisposeScope())
        {
            var micro = batch.Slice(all);
            var (logps, _) = PolicyScorer.Score(policy.Model, micro, 1.0, withEntropies: false);
            using var loss = GrpoLoss.Compute(new GrpoLossInputs
            {
                PerTokenLogps = logps, Advantages = micro.Advantages, CompletionMask = micro.CompletionMask, NumItemsInBatch = batch.NumItemsInBatch,
            }, options);
            loss.Loss.backward();
        }
        using (torch.no_grad())
            foreach (var (_, p) in policy.TrainableParameters)
                if (p.grad is { } g) p.sub_(g * 0.5);  // plain gradient descent: the first-order change is predictable
        var after = SequenceLogps();
        double Objective(double[] logps) => logps.Select((l, i) => advantages[i] * l).Sum();
        Assert.True(Objective(after) > Objective(before), $"Σ A·logp went {Objective(before)} -> {Objective(after)}");
        // And the best completion gained on the worst one.
        int best = Array.IndexOf(advantages, advantages.Max()), worst = Array.IndexOf(advantages, advantages.Min());
        Assert.True(after[best] - after[worst] > before[best] - before[worst]);
    }

    [Fact]
    public void ScoringReproducesTheSamplersLogProbabilities()
    {
        // The training forward (left-padded prompts + right-padded completions, one batch) must see the same
        // distribution the rollout sampled from, or the policy gradient optimises the wrong conditional.
        var recipe = fixture.Recipe(Path.Combine(fixture.Root, "consistency"), "max_completion_length=6", "lora_dropout=0", "num_generations=4");
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        policy.Model.eval();
        var options = RecipeMapping.ToGrpoOptions(recipe) with { RewardWeights = [1.0] };
        var tok = policy.Text.Tokenizer;
        var generation = RecipeMapping.ToGenerationOptions(recipe).Resolve(null, tok.EosTokenId, tok.PadTokenId) with { ReturnLogProbs = true };
        var rows = RecipeDatasets.Load(recipe).Train;
        using var prompts = policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)).Build([rows[0], rows[1], rows[2]]);
        var engine = new GenerationEngine(policy.Model, tok);
        var sampled = engine.Generate(prompts.Inputs, generation, 4);
        var rollouts = new RolloutGenerator(policy, policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), [new TextLengthReward()], options, generation with { ReturnLogProbs = false });
        using var batch = RolloutAssembler.Assemble(rollouts.Sample([rows[0], rows[1], rows[2]], seed: generation.Seed ?? 0, TestContext.Current.CancellationToken),
            rollouts.RewardNames, options, generation.EosTokenIds[0], generation.PadTokenId, policy.Device);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var micro = batch.Slice(Enumerable.Range(0, batch.Count).ToArray());
        var (logps, _) = PolicyScorer.Score(policy.Model, micro, 1.0, withEntropies: false);
        var ids = batch.CompletionIds.data<long>().ToArray();
        long width = batch.CompletionLength;
        for (int r = 0; r < batch.Count; r++)
        {
            var seq = sampled.Sequences[r];
            Assert.Equal(seq.CompletionIds.Select(x => (long)x), ids.Skip((int)(r * width)).Take(seq.CompletionIds.Length));
            for (int t = 0; t < seq.CompletionIds.Length; t++)
                Assert.True(Math.Abs(seq.TokenLogProbs![t] - logps[r, t].item<float>()) < 2e-3,
                    $"row {r} token {t}: sampler {seq.TokenLogProbs[t]} vs scoring {logps[r, t].item<float>()}");
        }
    }
}
