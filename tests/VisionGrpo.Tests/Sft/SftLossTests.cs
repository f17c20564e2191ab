using TorchSharp;
using VisionGrpo.Data.Loading;
using VisionGrpo.Models.Qwen2;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Tensors;
using VisionGrpo.Training;
using VisionGrpo.Training.Sft;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Sft;

public sealed class SftLossTests
{
    public SftLossTests() => TorchRuntime.EnsureInitialized();

    // −log softmax(row)[target], in double, straight from the definition.
    static double Nll(float[] row, long target)
    {
        double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
        return -(row[target] - max - Math.Log(sum));
    }

    [Fact]
    public void Masked_loss_equals_a_hand_computed_cross_entropy_and_masked_positions_get_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var values = new float[2 * 3 * 5];
        var rng = new Random(4);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 6 - 3);
        var logits = torch.tensor(values, [2, 3, 5]).requires_grad_(true);
        var ids = torch.tensor(new long[] { 1, 4, 0, 2, 3, 3 }, [2, 3]);
        var mask = torch.tensor(new float[] { 1, 1, 0, 0, 1, 1 }, [2, 3]);

        var result = SftLoss.Compute(logits, ids, mask);
        result.Sum.backward();

        long[] flatIds = [1, 4, 0, 2, 3, 3];
        float[] flatMask = [1, 1, 0, 0, 1, 1];
        double expected = 0;
        long correct = 0;
        for (int p = 0; p < 6; p++)
        {
            if (flatMask[p] == 0) continue;
            var row = values.AsSpan(p * 5, 5).ToArray();
            expected += Nll(row, flatIds[p]);
            if (Array.IndexOf(row, row.Max()) == flatIds[p]) correct++;
        }
        Assert.Equal(expected, result.Sum.item<float>(), 4);
        Assert.Equal(4, result.Tokens);
        Assert.Equal(correct, result.Correct);
        var grad = logits.grad!;
        Assert.Equal(0f, grad[0, 2].abs().sum().item<float>());
        Assert.Equal(0f, grad[1, 0].abs().sum().item<float>());
        Assert.True(grad[0, 0].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Logits_at_masked_positions_do_not_change_the_loss()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(1, 4, 9, generator: new Generator(2));
        var ids = torch.tensor(new long[] { 3, 1, 7, 0 }, [1, 4]);
        var mask = torch.tensor(new float[] { 1, 1, 0, 0 }, [1, 4]);
        float before = SftLoss.Compute(logits, ids, mask).Sum.item<float>();
        var changed = logits.clone();
        changed[0, 2] = torch.full(9, 1e4f);
        changed[0, 3] = torch.full(9, -1e4f);
        Assert.Equal(before, SftLoss.Compute(changed, ids, mask).Sum.item<float>());
    }

    [Fact]
    public void Shapes_that_do_not_line_up_are_rejected()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => SftLoss.Compute(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype: ScalarType.Int64), torch.ones(2, 4)));
        Assert.Throws<ArgumentException>(() => SftLoss.PredictingPositions(3, 3));
    }

    [Fact]
    public void On_a_real_batch_only_completion_tokens_are_scored_each_by_the_position_before_it()
    {
        using var setup = new SftTinySetup(rows: 3);
        var recipe = RecipeLoader.Load(null, setup.Overrides());
        using var policy = PolicyModel.Load(RecipeMapping.ToPolicyLoadOptions(recipe));
        var rows = DatasetLoader.Load(setup.DataDir, "train").Rows().ToList();
        var collator = new SftCollator(policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)), policy.Text.Tokenizer, "teacher_completion");
        using var batch = collator.Build(rows);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        // The completion is the column's tokens plus <|im_end|>, right-padded after the left-padded GRPO prompt.
        long c = batch.CompletionIds.shape[1], l = batch.Inputs.InputIds.shape[1];
        using var prompt = policy.PromptBuilder(RecipeMapping.ToPromptOptions(recipe)).Build(rows);
        Assert.Equal(prompt.Inputs.InputIds.shape[1] + c, l);
        for (int r = 0; r < rows.Count; r++)
        {
            int[] expected = [.. policy.Text.Tokenizer.Encode(rows[r].GetString("teacher_completion")!), policy.Text.Tokenizer.TokenToId("<|im_end|>")!.Value];
            Assert.Equal(expected.Length, (int)batch.CompletionMask[r].sum().item<float>());
            Assert.Equal(expected.Select(v => (long)v), batch.CompletionIds[r].narrow(0, 0, expected.Length).data<long>().ToArray());
        }

        // The loss from the kept positions equals a cross-entropy over the full logits at exactly the positions
        // before completion tokens: prompt and padding positions contribute nothing.
        var inputs = new QwenVLInputs
        {
            InputIds = batch.Inputs.InputIds, AttentionMask = batch.Inputs.AttentionMask,
            PixelValues = batch.Inputs.PixelValues, ImageGridThw = batch.Inputs.ImageGridThw,
        };
        var all = policy.Model.forward(inputs).Logits;
        var kept = policy.Model.forward(new QwenVLInputs
        {
            InputIds = inputs.InputIds, AttentionMask = inputs.AttentionMask, PixelValues = inputs.PixelValues, ImageGridThw = inputs.ImageGridThw,
            LogitsToKeep = LogitsToKeep.At(SftLoss.PredictingPositions(l, c)),
        }).Logits;
        float loss = SftLoss.Compute(kept, batch.CompletionIds, batch.CompletionMask).Sum.item<float>();
        double manual = 0;
        var ids = batch.Inputs.InputIds;
        var attention = batch.Inputs.AttentionMask!;
        long promptWidth = l - c;
        for (int r = 0; r < rows.Count; r++)
            for (long t = 0; t < l - 1; t++)
            {
                // A target is scored when it is a real completion token (in the completion part and not padding).
                if (t + 1 < promptWidth || attention[r, t + 1].item<long>() == 0) continue;
                manual += Nll(all[r, t].data<float>().ToArray(), ids[r, t + 1].item<long>());
            }
        Assert.Equal(manual, loss, manual * 1e-5);
    }
}
