using System.Text.Json;
using TorchSharp;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Models;
using VisionGrpo.Tensors;

namespace VisionGrpo.Tests.Data;

/// <summary>
/// Weights reached through the Hugging Face cache's symlinks (<c>snapshots/REV/x → ../../blobs/HASH</c>) load like
/// the plain folder: single file, shards + index, and a LoRA adapter give the same greedy tokens.
/// </summary>
public sealed class HubSnapshotLoadingTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "vg-hubsnap-" + Guid.NewGuid().ToString("N"));
    static string Demo => Path.Combine(TestPaths.RepoRoot, "models", "visiongrpo-demo");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static string GreedyIds(string model, string? adapter = null)
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(GenerateCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["generate", "--model", model, "--prompt", "How many dots are there?", "--max-new-tokens", "8",
            "--temperature", "0", "--json", "--device", "cpu", .. adapter is null ? Array.Empty<string>() : ["--adapter", adapter]];
        Assert.True(CliRunner.Run(root, args, output, error) == 0, error.ToString());
        return JsonDocument.Parse(output.ToString()).RootElement.GetProperty("ids").GetRawText();
    }

    [Fact]
    public void A_linked_safetensors_file_is_read_through_its_link()
    {
        string snapshot = HubLayout.Write(Demo, Path.Combine(_root, "hub"), "org/demo");
        string link = Path.Combine(snapshot, "model.safetensors");
        Assert.NotNull(new FileInfo(link).LinkTarget);
        using var linked = SafetensorsFile.Open(link);
        using var plain = SafetensorsFile.Open(Path.Combine(Demo, "model.safetensors"));
        Assert.Equal(plain.Names, linked.Names);
        string name = plain.Names[^1];
        using var a = plain.Load(name);
        using var b = linked.Load(name);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void Unsharded_sharded_and_adapter_snapshots_give_the_plain_folders_greedy_ids()
    {
        // Sharded copy of the demo model (several model-0000i-of-0000N.safetensors + model.safetensors.index.json).
        string sharded = Path.Combine(_root, "sharded");
        using (var model = ModelFolder.Load(Demo, torch.ScalarType.Float32))
            ModelFolder.Save(model, sharded, processorSource: Demo, maxShardBytes: 4_000_000);
        Assert.True(File.Exists(Path.Combine(sharded, "model.safetensors.index.json")));
        string zero = Path.Combine(_root, "adapter-zero"), strong = Path.Combine(_root, "adapter-strong");
        TinyVlmFolder.SaveAdapters(Demo, zero, strong);

        string hub = Path.Combine(_root, "hub");
        string single = HubLayout.Write(Demo, hub, "org/demo");
        string shards = HubLayout.Write(sharded, hub, "org/demo-sharded");
        string adapter = HubLayout.Write(strong, hub, "org/demo-adapter");
        Assert.NotNull(new FileInfo(Directory.GetFiles(shards, "model-*.safetensors")[0]).LinkTarget);

        string plain = GreedyIds(Demo);
        Assert.Equal(plain, GreedyIds(single));
        Assert.Equal(plain, GreedyIds(shards));
        string adapted = GreedyIds(Demo, strong);
        Assert.NotEqual(plain, adapted);
        Assert.Equal(adapted, GreedyIds(single, adapter));
    }
}
