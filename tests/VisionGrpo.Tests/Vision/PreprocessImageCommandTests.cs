using System.CommandLine;
using System.Runtime.InteropServices;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Vision;

/// <summary>The <c>preprocess-image</c> verb end to end on the batch fixture case.</summary>
public class PreprocessImageCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("vg-preprocess-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static int Run(params string[] args)
    {
        var root = new RootCommand { PreprocessImageCommand.Create() };
        root.Options.Add(CliOptions.Verbose);
        return CliRunner.Run(root, args);
    }

    string ModelDir()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ImageFixtures.Root, "manifest.json")));
        File.WriteAllText(Path.Combine(_dir, "preprocessor_config.json"), manifest.RootElement.GetProperty("preprocessor_config").GetRawText());
        return _dir;
    }

    [Fact]
    public void WritesTheBatchCaseBitExactly()
    {
        var c = ImageFixtures.Load("batch3__max50176");
        var images = c.GetProperty("inputs").EnumerateArray().Select(i => Path.Combine(ImageFixtures.Root, i.GetProperty("file").GetString()!)).ToArray();
        string output = Path.Combine(_dir, "out.safetensors");
        Assert.Equal(0, Run(["preprocess-image", "--model", ModelDir(), .. images, "--max-pixels", "50176", "--output", output]));

        using var file = SafetensorsFile.Open(output);
        Assert.Equal(["image_grid_thw", "pixel_values"], file.Names.Order());
        using var grid = file.Load("image_grid_thw");
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, grid.dtype);
        Assert.Equal(ImageFixtures.IntRows(c.GetProperty("expected").GetProperty("image_grid_thw")).SelectMany(r => r.Select(v => (long)v)), grid.data<long>().ToArray());
        using var values = file.Load("pixel_values");
        Assert.Equal(new long[] { 564, 1176 }, values.shape);
        var floats = values.data<float>().ToArray();
        Assert.Equal(c.GetProperty("expected").GetProperty("pixel_values").GetProperty("sha256_f32le").GetString(),
            ImageFixtures.Sha256(MemoryMarshal.AsBytes(floats.AsSpan())));
    }

    [Fact]
    public void CorruptImageFailsWithExitCode1()
    {
        string bad = Path.Combine(_dir, "bad.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]);
        Assert.Equal(1, Run(["preprocess-image", "--model", ModelDir(), bad, "--output", Path.Combine(_dir, "o.safetensors")]));
        Assert.False(File.Exists(Path.Combine(_dir, "o.safetensors")));
    }
}
