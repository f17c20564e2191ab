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
    public void An_images_vision_tower_masks_do_not_depend_on_the_images_batched_with_it_or_their_order()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var layer = new LoraLayer("visual.blocks.0.attn.qkv", nn.Linear(16, 8), new LoraConfig
        {
            R = 4, LoraAlpha = 8, LoraDropout = 0.5, InitLoraWeights = "false", TargetModules = LoraTargetModules.FromNames(["qkv"]),
        });
        // Three images of 8, 16 and 4 patches ([Σ patches, in], concatenated as the vision tower sees them).
        long[] patches = [8, 16, 4];
        ulong[] keys = [21, 22, 23];
        var x = patches.Select(n => torch.randn(n, 16)).ToArray();
        Tensor Delta(int[] images, long factor = 1)
        {
            // factor 4: after a patch merger's regrouping each image holds patches / 4 rows.
            var input = torch.cat(images.Select(i => x[i].reshape(-1, 16 * factor).narrow(1, 0, 16)).ToArray());
            using (DropoutStreams.ForImages(new ImageDropoutKeys(images.Select(i => keys[i]).ToArray(), images.Select(i => patches[i]).ToArray())))
                return layer.Delta(input, training: true);
        }
        foreach (long factor in new long[] { 1, 4 })
        {
            long Rows(int i) => patches[i] / factor;
            var alone = Enumerable.Range(0, 3).Select(i => Delta([i], factor)).ToArray();
            var batched = Delta([0, 1, 2], factor);
            var reordered = Delta([2, 0, 1], factor);
            Assert.InRange(TinyFixture.MaxDiff(alone[0], batched.narrow(0, 0, Rows(0))), 0, 1e-6);
            Assert.InRange(TinyFixture.MaxDiff(alone[1], batched.narrow(0, Rows(0), Rows(1))), 0, 1e-6);
            Assert.InRange(TinyFixture.MaxDiff(alone[2], batched.narrow(0, Rows(0) + Rows(1), Rows(2))), 0, 1e-6);
            Assert.InRange(TinyFixture.MaxDiff(alone[2], reordered.narrow(0, 0, Rows(2))), 0, 1e-6);
            Assert.InRange(TinyFixture.MaxDiff(alone[0], reordered.narrow(0, Rows(2), Rows(0))), 0, 1e-6);
            Assert.InRange(TinyFixture.MaxDiff(alone[1], reordered.narrow(0, Rows(2) + Rows(0), Rows(1))), 0, 1e-6);
        }
        // The masks are real: another key or no dropout changes the output.
        var first = Delta([0]);
        using (DropoutStreams.ForImages(new ImageDropoutKeys([99], [8])))
            Assert.True(TinyFixture.MaxDiff(first, layer.Delta(x[0], training: true)) > 1e-3);
        Assert.True(TinyFixture.MaxDiff(first, layer.Delta(x[0], training: false)) > 1e-3);
        // A scope that names no images, or images the input's rows do not divide evenly, is an error, not a silent fallback.
        using (DropoutStreams.Use([1]))
            Assert.Contains("names no images", Assert.Throws<InvalidOperationException>(() => layer.Delta(x[0], training: true)).Message);
        using (DropoutStreams.ForImages(new ImageDropoutKeys([1, 2], [8, 6])))
            Assert.Throws<InvalidOperationException>(() => layer.Delta(torch.randn(5, 16), training: true));
    }

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL)]
    [InlineData(TinyFixture.Qwen2VL)]
    [InlineData(TinyFixture.Qwen3VL)]
    public void A_vision_towers_features_of_an_image_do_not_depend_on_the_images_embedded_with_it(string fixture)
    {
        // LoRA on every linear of the vision tower (blocks, merger, DeepStack mergers), dropout on (train mode): the
        // features of an image embedded alone equal its rows when embedded with others, in any order — through
        // Qwen2.5-VL's window permutation (within an image) and the mergers' 4-row regrouping.
        using var scope = NewDisposeScope();
        using var model = TinyFixture.Model(fixture: fixture);
        torch.manual_seed(6);
        using var peft = PeftModel.Wrap(model, new LoraConfig
        {
            R = 4, LoraAlpha = 8, LoraDropout = 0.5, InitLoraWeights = "false",
            TargetModules = LoraTargetModules.FromNames(["qkv", "attn.proj", "mlp.0", "mlp.2", "gate_proj", "up_proj", "down_proj", "fc1", "fc2", "linear_fc1", "linear_fc2"]),
        });
        Assert.Contains(peft.Layers, l => l.Name.Contains("merger", StringComparison.Ordinal));
        model.train();
        var b = TinyFixture.LoadCase("case_b", fixture);
        var a = TinyFixture.LoadCase("case_a", fixture);
        // Three images: case_b's two and case_a's one, each (pixels [t·h·w, D], grid [1, 3]).
        var thw = b["image_grid_thw"].to(ScalarType.Int64);
        long first = thw[0].prod().item<long>();
        var images = new[]
        {
            (Pixels: b["pixel_values"].narrow(0, 0, first), Grid: thw.narrow(0, 0, 1)),
            (Pixels: b["pixel_values"].narrow(0, first, b["pixel_values"].shape[0] - first), Grid: thw.narrow(0, 1, 1)),
            (Pixels: a["pixel_values"], Grid: a["image_grid_thw"].to(ScalarType.Int64)),
        };
        long merge = (long)model.Config.Vision!.SpatialMergeSize * model.Config.Vision.SpatialMergeSize;
        long Tokens(int i) => images[i].Grid.prod().item<long>() / merge;
        ulong[] keys = [31, 32, 33];
        Tensor Features(params int[] order)
        {
            var grid = torch.cat(order.Select(i => images[i].Grid).ToArray());
            using var noGrad = no_grad();
            using (DropoutStreams.ForImages(ImageDropoutKeys.PerOwner(order.Select(i => keys[i]).ToArray(), order.Select(_ => 1).ToArray(), grid)))
                return model.GetImageFeatures(torch.cat(order.Select(i => images[i].Pixels).ToArray()), grid);
        }
        var alone = Enumerable.Range(0, 3).Select(i => Features(i)).ToArray();
        var reordered = Features(2, 0, 1);
        Assert.InRange(TinyFixture.MaxDiff(alone[2], reordered.narrow(0, 0, Tokens(2))), 0, 1e-5);
        Assert.InRange(TinyFixture.MaxDiff(alone[0], reordered.narrow(0, Tokens(2), Tokens(0))), 0, 1e-5);
        Assert.InRange(TinyFixture.MaxDiff(alone[1], reordered.narrow(0, Tokens(2) + Tokens(0), Tokens(1))), 0, 1e-5);
        // Dropout matters here: eval mode (no dropout) gives other features.
        model.eval();
        Tensor evalFeatures;
        using (no_grad()) evalFeatures = model.GetImageFeatures(images[0].Pixels, images[0].Grid);
        Assert.True(TinyFixture.MaxDiff(alone[0], evalFeatures) > 1e-3);
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
