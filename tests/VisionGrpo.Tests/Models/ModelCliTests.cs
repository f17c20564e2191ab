using System.CommandLine;
using TorchSharp;
using VisionGrpo.Cli;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Models;

public class ModelCliTests
{
    static int Cli(params string[] args)
    {
        var root = new RootCommand("test");
        root.Options.Add(CliOptions.Verbose);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return CliRunner.Run(root, args);
    }

    [Fact]
    public void InfoReadsOnlyTheConfig() =>
        Assert.Equal(0, Cli("model", "info", Path.GetDirectoryName(TinyFixture.Config3B)!));

    [Theory]
    [InlineData(TinyFixture.Qwen2_5VL)]
    [InlineData(TinyFixture.Qwen2VL)]
    [InlineData(TinyFixture.Qwen3VL)]
    public void RunWritesParityOutputs(string fixture)
    {
        using var scope = NewDisposeScope();
        string dir = Directory.CreateTempSubdirectory("vg-run-").FullName;
        try
        {
            var c = TinyFixture.LoadCase("case_b", fixture);
            string inputs = Path.Combine(dir, "in.safetensors"), output = Path.Combine(dir, "out.safetensors");
            SafetensorsWriter.Save(inputs, new[] { "input_ids", "attention_mask", "pixel_values", "image_grid_thw" }.Select(n => KeyValuePair.Create(n, c[n])));
            Assert.Equal(0, Cli("model", "run", "--model", TinyFixture.DirOf(fixture), "--inputs", inputs, "--output", output, "--greedy-tokens", "12"));
            using var file = SafetensorsFile.Open(output);
            Assert.InRange(TinyFixture.MaxDiffValid(file.Load("logits"), c["logits"], c["attention_mask"]), 0, 1e-4);
            Assert.InRange(TinyFixture.MaxDiff(file.Load("image_embeds"), c["image_embeds"]), 0, 1e-4);
            if (c.TryGetValue("vision.deepstack_features", out var deepstack))
                Assert.InRange(TinyFixture.MaxDiff(file.Load("deepstack_features"), deepstack), 0, 1e-4);
            Assert.Equal(TinyFixture.Longs(c["position_ids"]), TinyFixture.Longs(file.Load("position_ids")));
            Assert.Equal(TinyFixture.Longs(c["rope_deltas"]), TinyFixture.Longs(file.Load("rope_deltas")));
            Assert.Equal(TinyFixture.Longs(c["generated_ids"]), TinyFixture.Longs(file.Load("generated_ids")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void InitWritesALoadableFolder()
    {
        string dir = Directory.CreateTempSubdirectory("vg-init-").FullName;
        try
        {
            Assert.Equal(0, Cli("model", "init", "--config", Path.Combine(TinyFixture.Dir, "config.json"), "--tokenizer", TinyFixture.Dir,
                "--output", dir, "--seed", "5", "--dtype", "bf16"));
            using var model = VisionGrpo.Models.ModelFolder.Load(dir, ScalarType.BFloat16);
            Assert.True(File.Exists(Path.Combine(dir, "preprocessor_config.json")));
            Assert.True(File.Exists(Path.Combine(dir, "generation_config.json")));
            Assert.Equal(1.0f, model.model.norm.weight.to(ScalarType.Float32).mean().item<float>());
            Assert.Equal(1, Cli("model", "run", "--model", dir, "--inputs", Path.Combine(dir, "missing.safetensors"), "--output", Path.Combine(dir, "o.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
