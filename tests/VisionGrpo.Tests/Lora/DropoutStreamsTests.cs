using TorchSharp;
using VisionGrpo.Lora;
using VisionGrpo.Tests.Models;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Lora;

/// <summary>
/// Keyed LoRA dropout: a row's masks depend on its key and its real positions only, not on the batch it shares or
/// its left padding (what makes N-process training sample and score like one process), and they drop at rate p.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class DropoutStreamsTests
{
    static LoraLayer Layer(TorchSharp.Modules.Linear linear, double dropout) => new("model.layers.0.self_attn.q_proj", linear, new LoraConfig
    {
        R = 4, LoraAlpha = 8, LoraDropout = dropout, InitLoraWeights = "false", TargetModules = LoraTargetModules.FromNames(["q_proj"]),
    });

    [Fact]
    public void A_row_gets_the_same_masks_alone_or_batched_with_left_padding()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var layer = Layer(nn.Linear(32, 8), dropout: 0.5);
        var a = torch.randn(1, 3, 32);
        var b = torch.randn(1, 5, 32);
        ulong keyA = 11, keyB = 12;

        Tensor alone(Tensor x, ulong key) { using (DropoutStreams.Use([key])) return layer.Delta(x, training: true); }
        var deltaA = alone(a, keyA);
        var deltaB = alone(b, keyB);
        // Batched: a is left-padded by 2 to b's length.
        var batch = torch.cat([torch.cat([torch.zeros(1, 2, 32), a], 1), b], 0);
        Tensor batched;
        using (DropoutStreams.Use([keyA, keyB], [2, 0])) batched = layer.Delta(batch, training: true);

        Assert.Equal(0, TinyFixture.MaxDiff(deltaA, batched[0].narrow(0, 2, 3).unsqueeze(0)), 5);
        Assert.Equal(0, TinyFixture.MaxDiff(deltaB, batched[1].unsqueeze(0)), 5);
        // Same key, same masks; another key, other masks; no dropout at all differs too.
        Assert.Equal(0, TinyFixture.MaxDiff(deltaA, alone(a, keyA)));
        Assert.True(TinyFixture.MaxDiff(deltaA, alone(a, 99)) > 1e-3);
        Assert.True(TinyFixture.MaxDiff(deltaA, layer.Delta(a, training: false)) > 1e-3);
    }

    [Fact]
    public void Masks_drop_about_p_of_the_inputs_and_rescale_the_rest()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var streams = DropoutStreams.Use([1, 2, 3, 4]);
        try
        {
            var x = torch.ones(4, 50, 200);
            var y = streams.Apply(x, 0.3, DropoutStreams.LayerKey("layer"));
            double dropped = (y == 0).to(ScalarType.Float64).mean().item<double>();
            Assert.InRange(dropped, 0.28, 0.32);
            Assert.InRange(y.max().item<float>(), 1 / 0.7f - 1e-5f, 1 / 0.7f + 1e-5f);
            // Another layer draws other masks.
            Assert.True(TinyFixture.MaxDiff(y, streams.Apply(x, 0.3, DropoutStreams.LayerKey("other"))) > 0);
        }
        finally { streams.Dispose(); }
        Assert.Null(DropoutStreams.Current);
    }
}
