using System.Text;
using System.Text.Json.Nodes;
using VisionGrpo.Training.Logging;

namespace VisionGrpo.Tests.Training;

public class TensorBoardWriterTests
{
    static string Fixture(params string[] parts) => Path.Combine(new[] { AppContext.BaseDirectory, "fixtures", "tensorboard" }.Concat(parts).ToArray());

    [Fact]
    public void Crc32CMatchesTheStandardCheckValueAndTheReadmeExample()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        var length24 = new byte[] { 0x18, 0, 0, 0, 0, 0, 0, 0 };
        Assert.Equal(0x4A65BFE4u, Crc32C.Compute(length24));
        Assert.Equal(0x224B7FA3u, Crc32C.Mask(0x4A65BFE4u));
        Assert.Equal(0x4A65BFE4u, Crc32C.Unmask(0x224B7FA3u));
    }

    [Theory]
    [InlineData("torch", "events.out.tfevents.1735689600.fixture.1.0", TensorBoardWriter.TorchSourceWriter)]
    [InlineData("tensorboardX", "events.out.tfevents.1735689600.fixture", null)]
    public void WriterReproducesReferenceFileByteForByte(string writerDir, string fileName, string? sourceWriter)
    {
        var written = JsonNode.Parse(File.ReadAllText(Fixture("written.json")))!;
        string dir = Path.Combine(Path.GetTempPath(), "vg-tb-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var writer = new TensorBoardWriter(dir, clock: () => 1735689600.0, sourceWriter: sourceWriter, fileName: fileName))
            {
                foreach (var s in written["scalars"]!.AsArray())
                    writer.AddScalar(s!["tag"]!.GetValue<string>(), s["value"]!.GetValue<double>(), s["step"]!.GetValue<long>(), s["walltime"]!.GetValue<double>());
                var text = written["text"]!;
                writer.AddText(text["tag"]!.GetValue<string>(), text["text"]!.GetValue<string>(), text["step"]!.GetValue<long>(), text["walltime"]!.GetValue<double>());
            }
            var ours = File.ReadAllBytes(Path.Combine(dir, fileName));
            var reference = File.ReadAllBytes(Fixture(writerDir, fileName));
            // Records 0–16 (file version, 15 scalars, text) are byte-identical; record 17 is the histogram we don't write.
            var records = JsonNode.Parse(File.ReadAllText(Fixture(writerDir, "records.json")))!["records"]!.AsArray();
            int end = records[17]!["offset"]!.GetValue<int>();
            Assert.Equal(end, ours.Length);
            Assert.Equal(reference.AsSpan(0, end).ToArray(), ours);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("torch", "events.out.tfevents.1735689600.fixture.1.0")]
    [InlineData("tensorboardX", "events.out.tfevents.1735689600.fixture")]
    public void ReaderDecodesReferenceFilesToTheWrittenValues(string writerDir, string fileName)
    {
        var written = JsonNode.Parse(File.ReadAllText(Fixture("written.json")))!;
        var events = TensorBoardReader.ReadEvents(Fixture(writerDir, fileName));
        Assert.Equal(18, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(1735689600.0, events[0].WallTime);
        Assert.Equal(0, events[0].Step);
        Assert.Equal(writerDir == "torch" ? TensorBoardWriter.TorchSourceWriter : null, events[0].SourceWriter);
        var scalars = written["scalars"]!.AsArray();
        for (int i = 0; i < scalars.Count; i++)
        {
            var e = events[i + 1];
            var s = scalars[i]!;
            Assert.Equal(s["step"]!.GetValue<long>(), e.Step);
            Assert.Equal(s["walltime"]!.GetValue<double>(), e.WallTime);
            var v = Assert.Single(e.Values);
            Assert.Equal(s["tag"]!.GetValue<string>(), v.Tag);
            Assert.Equal(s["value_float32"]!.GetValue<double>(), (double)v.SimpleValue!.Value);
        }
        var text = Assert.Single(events[16].Values);
        Assert.Equal("train/completion_sample/text_summary", text.Tag);
        Assert.Equal(written["text"]!["text"]!.GetValue<string>(), text.Text);
        Assert.Equal("text", text.PluginName);
        var histo = Assert.Single(events[17].Values);
        Assert.Equal("train/lora_B_values", histo.Tag);
        Assert.True(histo.HasHisto);
    }

    [Fact]
    public void LogMetricsUsesTrainerTagNamesAndRoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vg-tb-" + Guid.NewGuid().ToString("N"));
        try
        {
            double t = 1000.0;
            string path;
            using (var writer = new TensorBoardWriter(dir, clock: () => t += 0.5, hostName: "host"))
            {
                path = writer.FilePath;
                writer.LogMetrics(new Dictionary<string, object?>
                {
                    ["loss"] = -0.0043, ["reward"] = 0.75, ["rewards/accuracy_reward/mean"] = 0.5,
                    ["num_tokens"] = 1234L, ["eval_reward"] = 0.25, ["note"] = "hello", ["kl"] = null,
                }, globalStep: 10);
            }
            Assert.Matches(@"events\.out\.tfevents\.1000\.host\.\d+\.\d+$", path);
            var events = TensorBoardReader.ReadEvents(path);
            Assert.Equal(7, events.Count);
            var byTag = events.Skip(1).ToDictionary(e => e.Values[0].Tag, e => e);
            Assert.Equal((float)-0.0043, byTag["train/loss"].Values[0].SimpleValue);
            Assert.Equal(0.75f, byTag["train/reward"].Values[0].SimpleValue);
            Assert.Equal(0.5f, byTag["train/rewards/accuracy_reward/mean"].Values[0].SimpleValue);
            Assert.Equal(1234f, byTag["train/num_tokens"].Values[0].SimpleValue);
            Assert.Equal(0.25f, byTag["eval/reward"].Values[0].SimpleValue);
            Assert.Equal("hello", byTag["train/note/text_summary"].Values[0].Text);
            Assert.All(events.Skip(1), e => Assert.Equal(10, e.Step));
            Assert.Equal(1001.0, events[1].WallTime);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void DefaultLogDirFollowsTransformers()
    {
        string dir = TensorBoardWriter.DefaultLogDir("out", new DateTime(2025, 7, 30, 14, 5, 9), "box");
        Assert.Equal(Path.Combine("out", "runs", "Jul30_14-05-09_box"), dir);
    }
}
