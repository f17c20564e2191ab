using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Validation;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Recipes;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;
using static TorchSharp.torch;
using Fx = VisionGrpo.Tests.Models.TinyFixture;

namespace VisionGrpo.Tests.Models.Qwen3VL;

/// <summary>
/// A row with two images on Qwen3-VL: images in the user turn in order, processed in that order, the second image's
/// M-RoPE positions after the first, and generation of the batch equal to each row alone — which needs every row's
/// DeepStack features to travel with its image rows through the engine's per-row slicing.
/// </summary>
public class Qwen3VLMultiImageTests
{
    static readonly string Images = Path.Combine(Fx.DirOf(Fx.Qwen3VL), "images");

    [Fact]
    public void AMultiImageRowKeepsItsImagesInOrderAndGeneratesAsAlone()
    {
        string root = Directory.CreateTempSubdirectory("vg-qwen3vl-multi-").FullName;
        try
        {
            string modelDir = TinyVlmFolder.Create(Path.Combine(root, "model"), fixture: Fx.Qwen3VL);
            string data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            foreach (string png in Directory.GetFiles(Images)) File.Copy(png, Path.Combine(data, Path.GetFileName(png)));
            File.WriteAllLines(Path.Combine(data, "train.jsonl"),
            [
                """{"images": ["img_12x22.png", "img_20x14.png"], "problem": "Which image is wider?", "solution": "1"}""",
                """{"images": ["img_16x16.png"], "problem": "How many images?", "solution": "1"}""",
            ]);
            var dataset = DatasetLoader.Load(data, "train", imageColumn: "images");
            var rows = RowValidator.ForDataset(dataset, "problem").Filter(dataset, BadRowPolicy.Fail, new BadRowReport()).ToList();

            var text = VlTextProcessor.FromDirectory(modelDir);
            var processor = new QwenImageProcessor(ImageProcessorConfig.Load(modelDir));
            var builder = new PromptBuilder(text, processor, SystemPrompts.R1, imageColumn: "images");
            using var scope = NewDisposeScope();
            using var batch = builder.Build(rows);

            const string Image = "<|vision_start|><|image_pad|><|vision_end|>";
            Assert.Contains("<|im_start|>user\n" + Image + Image + "Which image is wider?<|im_end|>", batch.Texts[0]);
            // Patch 16, factor 32: the fixture's processor grids, in row order.
            Assert.Equal(new long[] { 1, 12, 22, 1, 20, 14, 1, 16, 16 }, Fx.Longs(batch.Inputs.ImageGridThw!));
            var inOrder = processor.Process(new[] { "img_12x22", "img_20x14", "img_16x16" }
                .Select(n => ImageDecoder.DecodeFile(Path.Combine(Images, n + ".png"))).ToList());
            Assert.Equal(0, Fx.MaxDiff(batch.Inputs.PixelValues!, inOrder.PixelValuesTensor()));

            using var model = ModelFolder.Load(modelDir);
            AssertSecondImageFollowsTheFirst(batch.Inputs, model.Config);
            var engine = new GenerationEngine(model, text.Tokenizer);
            var greedy = new GenerationOptions { MaxNewTokens = 5, DoSample = false, EosTokenIds = [151645], PadTokenId = 151643 }.Resolve(null);
            var together = engine.Generate(batch.Inputs, greedy).Sequences;
            for (int r = 0; r < rows.Count; r++)
            {
                using var alone = builder.Build([rows[r]]);
                Assert.Equal(engine.Generate(alone.Inputs, greedy).Sequences[0].CompletionIds, together[r].CompletionIds);
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>
    /// Row 0: a 12×22-patch image (6×11 merged tokens: t = b, h = b..b+5, w = b..b+10), then vision_end and
    /// vision_start at b+11 and b+12, then the 20×14 image starting at b+13 on all three axes.
    /// </summary>
    static void AssertSecondImageFollowsTheFirst(QwenVLInputs inputs, QwenVLConfig config)
    {
        var (positions, _) = VisionGrpo.Models.Qwen2_5_VL.RopeIndex.Compute(inputs.InputIds, inputs.AttentionMask, inputs.ImageGridThw,
            config.ImageTokenId, config.VideoTokenId, config.Vision!.SpatialMergeSize);
        long[] ids = Fx.Longs(inputs.InputIds[0]);
        var slots = Enumerable.Range(0, ids.Length).Where(i => ids[i] == config.ImageTokenId).ToArray();
        Assert.Equal(66 + 70, slots.Length);
        long Pos(int axis, int slot) => positions[axis, 0, slot].item<long>();
        int lastOfFirst = slots[65], second = slots[66];
        long b = Pos(0, slots[0]);
        Assert.Equal((b, b + 5, b + 10), (Pos(0, lastOfFirst), Pos(1, lastOfFirst), Pos(2, lastOfFirst)));
        Assert.Equal(lastOfFirst + 3, second);
        Assert.Equal((b + 13, b + 13, b + 13), (Pos(0, second), Pos(1, second), Pos(2, second)));
    }
}
