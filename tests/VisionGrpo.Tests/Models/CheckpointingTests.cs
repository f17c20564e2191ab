using TorchSharp;
using VisionGrpo.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

public class CheckpointingTests
{
    static Dictionary<string, Tensor> Grads(QwenVLForConditionalGeneration model, Dictionary<string, Tensor> c, bool checkpoint, bool freezeEmbeddings)
    {
        model.zero_grad();
        model.model.GradientCheckpointing = checkpoint;
        model.model.embed_tokens.weight!.requires_grad = !freezeEmbeddings;
        var output = model.forward(new QwenVLInputs { InputIds = c["input_ids"], AttentionMask = c["attention_mask"] });
        var logp = nn.functional.log_softmax(output.Logits.narrow(1, 0, 28), -1);
        var loss = -logp.gather(-1, c["input_ids"].narrow(1, 1, 28).unsqueeze(-1)).squeeze(-1).mul(c["attention_mask"].narrow(1, 1, 28)).sum();
        loss.backward();
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CheckpointedBackwardGivesThePlainGradients(bool freezeEmbeddings)
    {
        using var scope = NewDisposeScope();
        var c = TinyFixture.LoadCase("case_c");
        using var model = TinyFixture.Model();
        var plain = Grads(model, c, checkpoint: false, freezeEmbeddings);
        var checkpointed = Grads(model, c, checkpoint: true, freezeEmbeddings);
        Assert.Equal(plain.Keys.Order(), checkpointed.Keys.Order());
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", checkpointed.Keys);
        Assert.Equal(freezeEmbeddings, !checkpointed.ContainsKey("model.embed_tokens.weight"));
        foreach (var (name, g) in plain)
            Assert.InRange(TinyFixture.MaxDiff(g, checkpointed[name]), 0, 1e-6);
    }
}
