using System.Text.RegularExpressions;
using VisionGrpo.Data;
using VisionGrpo.Data.Loading;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Rewards;

namespace VisionGrpo.Tests.Data;

public sealed class NoisyTeacherTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "visiongrpo-teacher-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    static readonly Regex Target = new(@"^<think>\n(.+)\n</think>\n<answer>\n\$(\d+)\$\n</answer>$");

    [Fact]
    public void Targets_are_formatted_right_about_p_of_the_time_and_otherwise_overcount_by_one()
    {
        var generator = new VisualMathGenerator(9, SynthDifficulty.Easy);
        var teacher = new NoisyTeacher(generator, 0.4, seed: 9);
        int right = 0, rows = 400;
        foreach (var (e, i) in generator.Generate(rows).Select((e, i) => (e, i)))
        {
            string target = teacher.Target(i, e);
            var m = Target.Match(target);
            Assert.True(m.Success, target);
            Assert.Equal(1f, FormatReward.ScoreOne(target));
            var template = generator.Templates.Single(t => t.Name == e.Task);
            int answer = int.Parse(m.Groups[2].Value);
            Assert.Equal(template.Claim(answer), m.Groups[1].Value);
            // The recipe's accuracy reward grades the target against the gold solution exactly when the answers agree.
            bool correct = m.Groups[2].Value == e.Answer;
            Assert.Equal(correct ? 1f : 0f, new AccuracyReward().ScoreOne(e.Solution, target, TestContext.Current.CancellationToken));
            if (correct) { right++; continue; }
            // Wrong targets overcount by one, so they still depend on the image.
            Assert.Equal(int.Parse(e.Answer) + 1, answer);
        }
        // Binomial(400, 0.4): mean 160, standard deviation ~9.8.
        Assert.InRange(right, 130, 190);
        Assert.Equal(teacher.Target(17, generator.Make(17)), new NoisyTeacher(generator, 0.4, seed: 9).Target(17, generator.Make(17)));
    }

    [Fact]
    public void Demo_dots_sit_one_per_quadrant_so_each_vision_token_sees_at_most_one()
    {
        var generator = new VisualMathGenerator(4, SynthDifficulty.Demo, VisualMathGenerator.TemplatesNamed(["count_dots"]));
        var counts = new HashSet<int>();
        foreach (var e in generator.Generate(40))
        {
            byte[] rgb = ImageProbe.DecodeRgb(e.Image, out int w, out int h);
            Assert.Equal((56, 56), (w, h));
            int inked = 0;
            for (int q = 0; q < 4; q++)
            {
                // A quadrant holds a dot when it has clearly non-white pixels; the dots never cross a quadrant edge.
                int x0 = q % 2 * 28, y0 = q / 2 * 28;
                bool ink = false;
                for (int y = y0; y < y0 + 28 && !ink; y++)
                    for (int x = x0; x < x0 + 28 && !ink; x++)
                    {
                        int p = 3 * (y * w + x);
                        ink = rgb[p] + rgb[p + 1] + rgb[p + 2] < 600;
                    }
                if (ink) inked++;
            }
            Assert.Equal(int.Parse(e.Answer), inked);
            counts.Add(inked);
        }
        Assert.Equal([1, 2, 3, 4], counts.Order());
    }

    [Fact]
    public void Accuracy_one_and_zero_are_exact()
    {
        var generator = new VisualMathGenerator(2, SynthDifficulty.Easy);
        var always = new NoisyTeacher(generator, 1.0, 2);
        var never = new NoisyTeacher(generator, 0.0, 2);
        for (int i = 0; i < 40; i++)
        {
            var e = generator.Make(i);
            Assert.Equal(e.Answer, Target.Match(always.Target(i, e)).Groups[2].Value);
            Assert.NotEqual(e.Answer, Target.Match(never.Target(i, e)).Groups[2].Value);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoisyTeacher(generator, 1.5, 2));
    }

    [Fact]
    public void The_writer_adds_the_teacher_column_and_task_subsets_keep_only_those_tasks()
    {
        var generator = new VisualMathGenerator(3, SynthDifficulty.Easy, VisualMathGenerator.TemplatesNamed(["count_dots"]));
        SynthDatasetWriter.Write(_dir, generator, rows: 12, shards: 1, seed: 3, teacher: new NoisyTeacher(generator, 0.4, 3));
        var ds = DatasetLoader.Load(_dir, "train");
        Assert.Equal([.. SynthDatasetWriter.TextColumns.Prepend("image"), SynthDatasetWriter.TeacherColumn], ds.ColumnNames);
        Assert.All(ds.Rows(), r => Assert.StartsWith("How many dots", r.GetString("problem")));
        Assert.All(ds.Rows(), r => Assert.Matches(Target, r.GetString(SynthDatasetWriter.TeacherColumn)!));
        Assert.Contains("NOISY", File.ReadAllText(Path.Combine(_dir, "README.md")));
        Assert.Throws<ArgumentException>(() => VisualMathGenerator.TemplatesNamed(["count_cats"]));
    }
}
