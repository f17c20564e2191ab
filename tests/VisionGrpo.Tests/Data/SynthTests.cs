using System.Text.RegularExpressions;
using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Parquet;
using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Tests.Data;

public sealed class SynthTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "visiongrpo-synth-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Written_dataset_reads_back_identically_with_two_shards_and_a_card()
    {
        var gen = new VisualMathGenerator(seed: 11);
        var files = SynthDatasetWriter.Write(_dir, gen, rows: 40, shards: 2, rowGroupSize: 8, seed: 11);
        Assert.Equal(["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"], files);
        Assert.Equal("train", Assert.Single(SplitFiles.Resolve(_dir)).Key);

        var ds = Assert.IsType<ParquetDataset>(DatasetLoader.Load(_dir, "train"));
        Assert.Equal([20L, 20L], ds.ShardLengths);
        Assert.Equal(["image", "problem", "solution", "original_question", "original_answer"], ds.ColumnNames);
        Assert.True(ds.Features[0].Value.IsImage);
        var solutionStyle = new Regex(@"^<think>\n[\s\S]+\n</think>\n\n<answer>(\d+)</answer>$");
        for (int i = 0; i < ds.Count; i++)
        {
            var expected = gen.Make(i);
            var row = ds[i];
            Assert.Equal(expected.Image, row.GetImage("image")!.ReadBytes());
            Assert.Null(row.GetImage("image")!.Path);
            Assert.Equal(expected.Problem, row.GetString("problem"));
            Assert.Equal(expected.Solution, row.GetString("solution"));
            Assert.Equal(expected.OriginalQuestion, row.GetString("original_question"));
            Assert.Equal(expected.OriginalAnswer, row.GetString("original_answer"));
            var m = solutionStyle.Match(expected.Solution);
            Assert.True(m.Success, expected.Solution);
            Assert.Equal(expected.Answer, m.Groups[1].Value);
            Assert.EndsWith("The answer is " + expected.Answer, expected.OriginalAnswer);
            var info = ImageProbe.TryProbe(expected.Image)!.Value;
            Assert.Equal(("PNG", 56, 56), (info.Format, info.Width, info.Height));
        }
        Assert.Equal(4, Enumerable.Range(0, 40).Select(i => gen.Make(i).Task).Distinct().Count());
    }

    [Fact]
    public void Same_seed_gives_the_same_rows_and_another_seed_does_not()
    {
        var a = new VisualMathGenerator(5, SynthDifficulty.Medium).Generate(12).ToList();
        var b = new VisualMathGenerator(5, SynthDifficulty.Medium).Generate(12).ToList();
        var c = new VisualMathGenerator(6, SynthDifficulty.Medium).Generate(12).ToList();
        Assert.Equal(a.Select(e => Convert.ToHexString(e.Image)), b.Select(e => Convert.ToHexString(e.Image)));
        Assert.Equal(a.Select(e => e.Solution), b.Select(e => e.Solution));
        Assert.NotEqual(a.Select(e => Convert.ToHexString(e.Image)), c.Select(e => Convert.ToHexString(e.Image)));
        Assert.Equal(84, ImageProbe.TryProbe(a[0].Image)!.Value.Width);
    }

    [Theory]
    [InlineData(SynthDifficulty.Easy)]
    [InlineData(SynthDifficulty.Hard)]
    [InlineData(SynthDifficulty.Demo)]
    public void Dot_counts_match_the_drawn_dots(SynthDifficulty difficulty)
    {
        var gen = new VisualMathGenerator(3, difficulty, [new VisionGrpo.Data.Synthetic.Templates.CountDotsTemplate()]);
        foreach (var e in gen.Generate(20))
        {
            byte[] rgb = ImageProbe.DecodeRgb(e.Image, out int w, out int h);
            Assert.Equal(int.Parse(e.Answer), CountBlobs(rgb, w, h));
        }
    }

    // Connected components of clearly non-white pixels: each dot is one blob because dots never touch.
    static int CountBlobs(byte[] rgb, int w, int h)
    {
        var seen = new bool[w * h];
        bool Ink(int p) => rgb[3 * p] + rgb[3 * p + 1] + rgb[3 * p + 2] < 600;
        int blobs = 0;
        for (int start = 0; start < w * h; start++)
        {
            if (seen[start] || !Ink(start)) continue;
            blobs++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                int p = stack.Pop(), x = p % w, y = p / w;
                foreach (var (nx, ny) in new[] { (x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1) })
                {
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int q = ny * w + nx;
                    if (!seen[q] && Ink(q)) { seen[q] = true; stack.Push(q); }
                }
            }
        }
        return blobs;
    }

    [Fact]
    public void Sample_images_can_be_dumped_for_a_look()
    {
        string? dump = Environment.GetEnvironmentVariable("VISIONGRPO_SYNTH_DUMP");
        if (dump is null) return;
        Directory.CreateDirectory(dump);
        foreach (var d in Enum.GetValues<SynthDifficulty>())
        {
            var gen = new VisualMathGenerator(1, d);
            for (int i = 0; i < 8; i++)
            {
                var e = gen.Make(i);
                File.WriteAllBytes(Path.Combine(dump, $"{d}-{i}-{e.Task}-{e.Answer}.png"), e.Image);
            }
        }
    }
}
