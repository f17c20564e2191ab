using System.Text.Json;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Generation;
using Xunit;

namespace VisionGrpo.Tests.Generation;

/// <summary>
/// <c>visiongrpo generate</c> end to end on a random model with the tiny fixture's shape but the real Qwen2.5-VL
/// vocabulary and special ids, so the real tokenizer, chat template and image processor feed it.
/// </summary>
public sealed class GenerateCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "vg-generate-" + Guid.NewGuid().ToString("N"));

    public GenerateCommandTests() => TinyVlmFolder.Create(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    (int Code, string Out) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Options.Add(CliOptions.Verbose);
        root.Subcommands.Add(GenerateCommand.Create());
        var output = new StringWriter();
        return (CliRunner.Run(root, args, output, new StringWriter()), output.ToString());
    }

    [Fact]
    public void JsonOutputIsReproducibleBySeedAndHasEveryField()
    {
        string image = Path.Combine(AppContext.BaseDirectory, "fixtures", "image_processor", "images", "gray_L_200x150.png");
        string[] args = ["generate", "--model", _dir, "--image", image, "--prompt", "What is shown?", "--system-preset", "r1",
            "--max-new-tokens", "6", "--temperature", "1.0", "--seed", "9", "--json"];
        var (code, first) = Run(args);
        Assert.Equal(0, code);
        var (_, second) = Run(args);
        using var doc = JsonDocument.Parse(first);
        var root = doc.RootElement;
        foreach (var key in new[] { "text", "ids", "generated_tokens", "inference_time", "prefill_seconds", "decode_seconds", "tokens_per_second", "finish_reason" })
            Assert.True(root.TryGetProperty(key, out _), $"missing {key}");
        var generated = root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(root.GetProperty("generated_tokens").GetInt32(), generated.Length);
        Assert.InRange(generated.Length, 1, 6);
        Assert.DoesNotContain(generated, id => id is >= 151652 and <= 151656);
        Assert.Equal(JsonDocument.Parse(second).RootElement.GetProperty("ids").GetRawText(), root.GetProperty("ids").GetRawText());
    }

    [Fact]
    public void AdapterChangesTheOutputAndAZeroAdapterDoesNot()
    {
        string[] Args(string? adapter) => adapter is null
            ? ["generate", "--model", _dir, "--prompt", "Hi", "--max-new-tokens", "6", "--temperature", "0", "--json"]
            : ["generate", "--model", _dir, "--prompt", "Hi", "--max-new-tokens", "6", "--temperature", "0", "--json", "--adapter", adapter];
        string Ids(string json) => JsonDocument.Parse(json).RootElement.GetProperty("ids").GetRawText();

        string zero = Path.Combine(_dir, "adapter-zero"), strong = Path.Combine(_dir, "adapter-strong");
        TinyVlmFolder.SaveAdapters(_dir, zero, strong);
        var (code, plain) = Run(Args(null));
        Assert.Equal(0, code);
        Assert.Equal(Ids(plain), Ids(Run(Args(zero)).Out));
        var (strongCode, adapted) = Run(Args(strong));
        Assert.Equal(0, strongCode);
        Assert.NotEqual(Ids(plain), Ids(adapted));
        Assert.Equal(1, Run(Args(Path.Combine(_dir, "no-such-adapter"))).Code);
    }

    [Fact]
    public void PlainOutputEndsWithTheTimingLine()
    {
        var (code, text) = Run("generate", "--model", _dir, "--prompt", "Hi", "--max-new-tokens", "3", "--temperature", "0");
        Assert.Equal(0, code);
        Assert.Matches(@"inference time: \d+\.\d\d s, generated tokens: [1-3]\s*$", text);
    }

    [Fact]
    public void AdapterWithoutLoaderAndBadPresetFail()
    {
        Assert.Equal(1, Run("generate", "--model", _dir, "--prompt", "Hi", "--adapter", _dir).Code);
        Assert.Equal(1, Run("generate", "--model", _dir, "--prompt", "Hi", "--system-preset", "nope").Code);
    }
}
