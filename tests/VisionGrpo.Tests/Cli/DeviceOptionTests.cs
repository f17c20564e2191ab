using TorchSharp;
using VisionGrpo.Cli;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Cli;

/// <summary><c>--device</c> on every verb that loads a model: accepted as cpu, applied to recipes, refused clearly when unusable.</summary>
public sealed class DeviceOptionTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("vg-device-").FullName;
    static string Demo => Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Code, string Out, string Err) Cli(params string[] args) => InProcessCli.Run(args);

    static string Ok((int Code, string Out, string Err) run)
    {
        Assert.True(run.Code == 0, run.Err);
        return run.Out;
    }

    [Theory]
    [InlineData("train", "recipes/demo.yaml")]
    [InlineData("sft", "recipes/demo_sft.yaml")]
    public void Recipe_verbs_take_device_over_the_recipe_key(string verb, string recipe)
    {
        string config = Path.Combine(TestPaths.RepoRoot, recipe);
        Assert.Contains("device: \"cpu\"", Ok(Cli(verb, "--config", config, "--device", "cpu", "--print-config")));
        // --device wins over --set device=…, as the later override.
        Assert.Contains("device: \"cuda:1\"", Ok(Cli(verb, "--config", config, "--set", "device=cpu", "--device", "cuda:1", "--print-config")));
    }

    [Fact]
    public void Model_verbs_run_on_the_cpu_when_asked()
    {
        Assert.Contains("inference time", Ok(Cli("generate", "--model", Demo, "--prompt", "Hi", "--max-new-tokens", "2", "--temperature", "0", "--device", "cpu")));

        string inputs = Path.Combine(_dir, "in.safetensors"), outputs = Path.Combine(_dir, "out.safetensors");
        SafetensorsWriter.Save(inputs, [KeyValuePair.Create("input_ids", torch.tensor(new long[] { 151644, 872, 13 }).reshape(1, 3)),
            KeyValuePair.Create("attention_mask", torch.ones(1, 3, torch.int64))]);
        Ok(Cli("model", "run", "--model", Demo, "--inputs", inputs, "--output", outputs, "--greedy-tokens", "2", "--device", "cpu"));
        using (var file = SafetensorsFile.Open(outputs)) Assert.Equal([1L, 2], file.Info("generated_ids").Shape);

        string zero = Path.Combine(_dir, "zero"), strong = Path.Combine(_dir, "strong");
        TinyVlmFolder.SaveAdapters(Demo, zero, strong);
        Ok(Cli("lora", "merge", "--model", Demo, "--adapter", zero, "--output", Path.Combine(_dir, "merged"), "--device", "cpu"));
        Assert.True(File.Exists(Path.Combine(_dir, "merged", "model.safetensors")));

        File.WriteAllText(Path.Combine(_dir, "rows.jsonl"), """{"problem": "What is 1 + 2?", "solution": "$3$"}""" + "\n");
        Assert.Contains("\"rows\": 1", Ok(Cli("eval", "--model", Demo, "--dataset", Path.Combine(_dir, "rows.jsonl"), "--split", "train",
            "--max-new-tokens", "2", "--reward-funcs", "format", "--device", "cpu", "--json")));
    }

    [Fact]
    public void An_unusable_device_is_one_clear_error()
    {
        var (code, _, error) = Cli("generate", "--model", Demo, "--prompt", "Hi", "--device", "tpu");
        Assert.Equal(1, code);
        Assert.Contains("--device 'tpu' is not one of auto, cpu, cuda, cuda:N", error);
        if (torch.cuda.is_available()) return;
        foreach (string[] args in new[]
        {
            new[] { "generate", "--model", Demo, "--prompt", "Hi", "--device", "cuda" },
            ["model", "run", "--model", Demo, "--inputs", "x.safetensors", "--output", "y.safetensors", "--device", "cuda:0"],
        })
        {
            (code, _, error) = Cli(args);
            Assert.Equal(1, code);
            Assert.Contains("CUDA is not available in this build", error);
        }
    }
}
