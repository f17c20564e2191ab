using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>Training-side behaviour: gradients reach only A and B; disabling gives the base model; scopes nest.</summary>
[Collection(GlobalRngCollection.Name)]
public class TrainingTests
{
    [Fact]
    public void GradientsFlowOnlyToTheAdapters()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model();
        using var peft = PeftModel.Wrap(model, LoraFixture.Config(LoraFixture.R4));
        model.train();
        using (no_grad()) foreach (var layer in peft.Layers) layer.B.normal_(0, 0.05);
        var logits = model.forward(TinyFixture.Inputs(c, fixtureImageEmbeds: false)).Logits;
        logits.pow(2).mean().backward();
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null));
        foreach (var (name, p) in peft.NamedAdapterParameters())
        {
            Assert.True(p.requires_grad, name);
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name);
        }
        Assert.Equal(peft.NamedAdapterParameters().Count(), peft.TrainableParameters().Count());
    }

    [Fact]
    public void DisabledAdapterEqualsBaseAlsoWhenMergedAndScopesNest()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model();
        var baseLogits = LoraFixture.Logits(model, c);
        using var peft = PeftModel.Load(model, LoraFixture.Dir(LoraFixture.R8, "adapter"));
        var lora = LoraFixture.Logits(model, c);
        peft.Merge();
        using (peft.DisableAdapter())
        {
            Assert.False(peft.Merged);
            using (peft.DisableAdapter()) Assert.InRange(TinyFixture.MaxDiff(LoraFixture.Logits(model, c), baseLogits), 0, 1e-5);
            Assert.True(peft.AdapterDisabled);
            Assert.InRange(TinyFixture.MaxDiff(LoraFixture.Logits(model, c), baseLogits), 0, 1e-5);
        }
        Assert.False(peft.AdapterDisabled);
        Assert.True(peft.Merged);
        Assert.InRange(TinyFixture.MaxDiff(LoraFixture.Logits(model, c), lora), 0, 1e-5);
    }

    [Fact]
    public void VisionMergerAndMlpTargetsRun()
    {
        // Adapters on vision modules other than qkv (the merger's mlp.0, block MLPs) must change the output:
        // a Linear the model invokes without hooks would silently ignore its adapter.
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model();
        var baseLogits = LoraFixture.Logits(model, c);
        foreach (string target in new[] { "mlp.0", "mlp.2", "attn.proj", "down_proj", "o_proj", "k_proj" })
        {
            using var peft = PeftModel.Wrap(model, new LoraConfig { TargetModules = LoraTargetModules.FromNames([target]) });
            using (no_grad()) foreach (var layer in peft.Layers) layer.B.normal_(0, 0.05);
            Assert.True(TinyFixture.MaxDiff(LoraFixture.Logits(model, c), baseLogits) > 1e-4, target);
        }
        Assert.Equal(0, TinyFixture.MaxDiff(LoraFixture.Logits(model, c), baseLogits)); // disposed adapters are gone
    }

    [Fact]
    public void GradientCheckpointingGivesTheSameAdapterGradients() =>
        // eval: dropout off, so the recompute in backward sees the same adapter function; grads are still recorded.
        AssertCheckpointingKeepsAdapterGradients(train: false, extraOProjAdapter: true);

    [Fact]
    public void GradientCheckpointingReplaysLoraDropoutMasks() =>
        // The r8 adapter has lora_dropout 0.1; in training mode the recompute in backward must see the forward's masks.
        AssertCheckpointingKeepsAdapterGradients(train: true, extraOProjAdapter: false);

    [Fact]
    public void GradientCheckpointingReplaysKeyedLoraDropoutMasks() =>
        // The trainer's scoring forward keys dropout per row (DropoutStreams) and leaves that scope before backward:
        // the recompute must draw the forward's keyed masks, not torch's.
        AssertCheckpointingKeepsAdapterGradients(train: true, extraOProjAdapter: false, keyed: true);

    static void AssertCheckpointingKeepsAdapterGradients(bool train, bool extraOProjAdapter, bool keyed = false)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        var grads = new List<Tensor>[2];
        for (int run = 0; run < 2; run++)
        {
            using var model = TinyFixture.Model();
            model.model.GradientCheckpointing = run == 1;
            using var peft = PeftModel.Load(model, LoraFixture.Dir(LoraFixture.R8, "adapter"), isTrainable: true);
            torch.manual_seed(3); // same A and B in both runs
            using var extra = extraOProjAdapter ? PeftModel.Wrap(model, new LoraConfig { TargetModules = LoraTargetModules.FromNames(["o_proj"]) }) : null;
            if (extra is not null)
                using (no_grad()) foreach (var layer in extra.Layers) layer.B.normal_(0, 0.05); // B = 0 would leave A's gradient 0
            if (train) model.train(); else model.eval();
            torch.manual_seed(11); // same dropout masks in the forward of both runs
            var inputs = TinyFixture.Inputs(c, fixtureImageEmbeds: false);
            Tensor loss;
            using (keyed ? DropoutStreams.Use(Enumerable.Range(0, (int)inputs.InputIds.shape[0]).Select(r => (ulong)r + 5).ToArray(), inputs.AttentionMask!) : null)
                loss = model.forward(inputs).Logits.pow(2).mean();
            loss.backward();
            var named = extra is null ? peft.NamedAdapterParameters() : peft.NamedAdapterParameters().Concat(extra.NamedAdapterParameters());
            grads[run] = named.Select(p => p.Parameter.grad!.clone()).ToList();
        }
        Assert.Equal(grads[0].Count, grads[1].Count);
        for (int i = 0; i < grads[0].Count; i++)
        {
            Assert.True(grads[0][i].abs().sum().item<float>() > 0);
            Assert.InRange(TinyFixture.MaxDiff(grads[0][i], grads[1][i]), 0, 1e-6);
        }
    }

    [Fact]
    public void Bf16BaseKeepsFloat32AdaptersAndStaysCloseToPeft()
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_a");
        using var model = TinyFixture.Model(ScalarType.BFloat16);
        using var peft = PeftModel.Load(model, LoraFixture.Dir(LoraFixture.R4, "adapter"), isTrainable: true);
        Assert.All(peft.NamedAdapterParameters(), p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        var logits = LoraFixture.Logits(model, c);
        Assert.Equal(ScalarType.BFloat16, logits.dtype);
        var expected = LoraFixture.Expected(LoraFixture.R4, "lora_logits");
        var baseLogits = LoraFixture.Expected(LoraFixture.R4, "base_logits");
        // bf16 noise is well below the adapter's effect (max 4.38 on these logits).
        double error = TinyFixture.MaxDiffValid(logits, expected, c["attention_mask"]);
        Assert.True(error < 0.25 * TinyFixture.MaxDiff(expected, baseLogits), $"bf16 error {error}");
    }
}
