using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Validation;
using VisionGrpo.Generation;
using VisionGrpo.Models;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Recipes;
using VisionGrpo.Tests.Models;
using VisionGrpo.Text;
using VisionGrpo.Training.Inputs;
using VisionGrpo.Vision;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

/// <summary>
/// Rows with several images (TRL ≥ 0.24's <c>images</c> column) on every family: the images go into the user turn in
/// order, the processor and M-RoPE positions see them in that order, and a multi-image row generates exactly as it
/// does alone.
/// </summary>
public class MultiImagePromptTests
{
    static readonly string Images = Path.Combine(TinyFixture.DirOf(TinyFixture.Qwen2VL), "images");

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL, new long[] { 1, 4, 12, 1, 8, 8, 1, 10, 14 })]
    [InlineData(TinyFixture.Qwen2VL, new long[] { 1, 4, 12, 1, 8, 8, 1, 10, 14 })]
    // Qwen3-VL: patch 16, factor 32 and min_pixels 65,536 scale these small images up. Generating a batch exactly
    // as each row alone also needs every row's DeepStack features to travel with its image rows.
    [InlineData(TinyFixture.Qwen3VL, new long[] { 1, 10, 28, 1, 16, 18, 1, 16, 20 })]
    public void AMultiImageRowKeepsItsImagesInOrderAndGeneratesAsAlone(string fixture, long[] grids)
    {
        string root = Directory.CreateTempSubdirectory("vg-multi-image-").FullName;
        try
        {
            string modelDir = TinyVlmFolder.Create(Path.Combine(root, "model"), fixture: fixture);
            string data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            foreach (string png in Directory.GetFiles(Images)) File.Copy(png, Path.Combine(data, Path.GetFileName(png)));
            File.WriteAllLines(Path.Combine(data, "train.jsonl"),
            [
                """{"images": ["img_4x12.png", "img_8x8.png"], "problem": "Which image is wider?", "solution": "1"}""",
                """{"images": ["img_10x14.png"], "problem": "How many images?", "solution": "1"}""",
            ]);
            var dataset = DatasetLoader.Load(data, "train", imageColumn: "images");
            Assert.Equal(Feature.ImageList, dataset.Features.Single(f => f.Key == "images").Value);
            var report = new BadRowReport();
            var rows = RowValidator.ForDataset(dataset, "problem").Filter(dataset, BadRowPolicy.Fail, report).ToList();
            Assert.Equal(2, rows.Count);

            var text = VlTextProcessor.FromDirectory(modelDir);
            var processor = new QwenImageProcessor(ImageProcessorConfig.Load(modelDir));
            var builder = new PromptBuilder(text, processor, SystemPrompts.R1, imageColumn: "images");
            using var scope = NewDisposeScope();
            using var batch = builder.Build(rows);

            const string Image = "<|vision_start|><|image_pad|><|vision_end|>";
            Assert.Contains("<|im_start|>user\n" + Image + Image + "Which image is wider?<|im_end|>", batch.Texts[0]);
            Assert.Contains("<|im_start|>user\n" + Image + "How many images?<|im_end|>", batch.Texts[1]);
            Assert.Equal(new[] { 2, 1 }, batch.ImageCounts);
            Assert.Equal(grids, TinyFixture.Longs(batch.Inputs.ImageGridThw!));
            var inOrder = processor.Process(new[] { "img_4x12", "img_8x8", "img_10x14" }
                .Select(n => ImageDecoder.DecodeFile(Path.Combine(Images, n + ".png"))).ToList());
            Assert.Equal(0, TinyFixture.MaxDiff(batch.Inputs.PixelValues!, inOrder.PixelValuesTensor()));

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
    /// Row 0 holds an image of h × w merged tokens, then a second one: the first spans t = b, h = b..b+h−1,
    /// w = b..b+w−1; vision_end and vision_start take the next two positions; the second image starts there + 2 on all
    /// three axes (e.g. 2×6 merged tokens: b+8).
    /// </summary>
    static void AssertSecondImageFollowsTheFirst(QwenVLInputs inputs, QwenVLConfig config)
    {
        int merge = config.Vision!.SpatialMergeSize;
        var (positions, _) = RopeIndex.Compute(inputs.InputIds, inputs.AttentionMask, inputs.ImageGridThw, config.ImageTokenId,
            config.VideoTokenId, merge);
        long[] grid = TinyFixture.Longs(inputs.ImageGridThw!);
        int h = (int)grid[1] / merge, w = (int)grid[2] / merge, tokens = h * w;
        long[] ids = TinyFixture.Longs(inputs.InputIds[0]);
        var imageSlots = Enumerable.Range(0, ids.Length).Where(i => ids[i] == config.ImageTokenId).ToArray();
        Assert.Equal(tokens + grid[4] * grid[5] / (merge * merge), imageSlots.Length);
        long Pos(int axis, int slot) => positions[axis, 0, slot].item<long>();
        int last = imageSlots[tokens - 1], second = imageSlots[tokens];
        long b = Pos(0, imageSlots[0]);
        Assert.Equal((b, b + h - 1, b + w - 1), (Pos(0, last), Pos(1, last), Pos(2, last)));
        Assert.Equal(second, last + 3); // <|vision_end|><|vision_start|> in between
        long start = b + Math.Max(h, w) + 2;
        Assert.Equal((start, start, start), (Pos(0, second), Pos(1, second), Pos(2, second)));
    }
}
