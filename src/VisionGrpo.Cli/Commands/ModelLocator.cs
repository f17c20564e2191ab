using VisionGrpo.Data.Hub;

namespace VisionGrpo.Cli.Commands;

/// <summary>Turns a MODEL argument (a folder, or a hub id already in the HF cache) into a folder.</summary>
internal static class ModelLocator
{
    public static string Resolve(string model)
    {
        if (Directory.Exists(model)) return model;
        if (File.Exists(model) && Path.GetFileName(model) == "config.json") return Path.GetDirectoryName(Path.GetFullPath(model))!;
        var parts = model.Split('/');
        if (parts.Length == 2 && parts.All(p => p.Length > 0))
        {
            // huggingface_hub layout: models--{owner}--{name}/refs/main holds the snapshot commit.
            string repo = Path.Combine(HfCachePaths.HubCache(), $"models--{parts[0]}--{parts[1]}");
            string refFile = Path.Combine(repo, "refs", "main");
            if (File.Exists(refFile))
            {
                string snapshot = Path.Combine(repo, "snapshots", File.ReadAllText(refFile).Trim());
                if (Directory.Exists(snapshot)) return snapshot;
            }
            throw new DirectoryNotFoundException($"Model '{model}' is neither a folder nor a hub id in the HF cache ({HfCachePaths.HubCache()}); download it first (`visiongrpo download {model}`, or `hf download {model}`).");
        }
        throw new DirectoryNotFoundException($"Model folder '{model}' does not exist.");
    }
}
