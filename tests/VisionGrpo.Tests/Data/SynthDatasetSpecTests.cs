using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Synthetic;
using Xunit;

namespace VisionGrpo.Tests.Data;

public sealed class SynthDatasetSpecTests
{
    [Fact]
    public void ParsesEveryOptionAndNamesTheCacheFolderAfterThem()
    {
        var spec = SynthDatasetSpec.Parse("synth:visual_math?rows=40&seed=3&difficulty=medium&tasks=count_dots,digit_sum&teacher_accuracy=0.5");
        Assert.Equal((40, 3L, SynthDifficulty.Medium, 0.5), (spec.Rows, spec.Seed, spec.Difficulty, spec.TeacherAccuracy!.Value));
        Assert.Equal(["count_dots", "digit_sum"], spec.Tasks!);
        Assert.Equal("visual_math-rows40-seed3-medium-count_dots+digit_sum-teacher0.5-overcount", spec.FolderName);
        Assert.Equal(1000, SynthDatasetSpec.Parse("synth:visual_math").Rows);
    }

    [Theory]
    [InlineData("synth:visual_math?rows=0", "rows")]
    [InlineData("synth:visual_math?colour=red", "colour")]
    [InlineData("synth:visual_math?difficulty=extreme", "difficulty")]
    [InlineData("synth:visual_math?tasks=juggling", "juggling")]
    public void BadOptionsAreNamed(string name, string named)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SynthDatasetSpec.Parse(name));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void GeneratesOnceThenReusesTheSameRowsAsDataSynth()
    {
        string cache = Path.Combine(Path.GetTempPath(), "vg-synth-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var spec = SynthDatasetSpec.Parse("synth:visual_math?rows=6&seed=9&tasks=count_dots");
            var logs = new List<string>();
            string folder = spec.Materialize(logs.Add, cache);
            Assert.Equal(folder, spec.Materialize(logs.Add, cache));
            Assert.Single(logs);
            var rows = DatasetLoader.Load(folder).Rows().ToList();
            Assert.Equal(6, rows.Count);
            var direct = new VisualMathGenerator(9, SynthDifficulty.Easy, VisualMathGenerator.TemplatesNamed(["count_dots"])).Generate(6).ToList();
            Assert.Equal(direct.Select(e => e.Problem), rows.Select(r => r.GetString("problem")));
            Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(cache, "synth")), d => d.Contains(".tmp-"));
        }
        finally { if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true); }
    }
}
