using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Lora;

/// <summary>
/// <c>adapter_model.safetensors</c>: the A/B tensors under PEFT's saved names (see <see cref="LoraKeys"/>),
/// float32, metadata <c>{"format": "pt"}</c> as PEFT's <c>save_pretrained</c> writes it.
/// </summary>
internal static class LoraAdapterFile
{
    /// <summary>The file name PEFT uses.</summary>
    public const string FileName = "adapter_model.safetensors";

    /// <summary>Writes the adapters of <paramref name="layers"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<LoraLayer> layers)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var layer in layers)
        {
            tensors.Add(KeyValuePair.Create(LoraKeys.SavedKey(layer.Name, isA: true), (Tensor)layer.A.detach()));
            tensors.Add(KeyValuePair.Create(LoraKeys.SavedKey(layer.Name, isA: false), (Tensor)layer.B.detach()));
        }
        try { SafetensorsWriter.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" }); }
        finally { foreach (var t in tensors) t.Value.Dispose(); }
    }

    /// <summary>
    /// Copies the file's tensors into <paramref name="layers"/>. Keys of both layouts are accepted; missing,
    /// unexpected, duplicated and wrongly shaped tensors are all reported in one <see cref="InvalidDataException"/>
    /// before anything is copied.
    /// </summary>
    public static void Read(string path, IReadOnlyList<LoraLayer> layers)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No {FileName} at '{path}'.", path);
        using var file = SafetensorsFile.Open(path);
        var targets = new Dictionary<(string, bool), LoraLayer>();
        foreach (var layer in layers) { targets[(layer.Name, true)] = layer; targets[(layer.Name, false)] = layer; }
        var plan = new List<(string Key, Tensor Target)>();
        var seen = new HashSet<(string, bool)>();
        var problems = new List<string>();
        foreach (string key in file.Names)
        {
            var parsed = LoraKeys.Parse(key);
            if (parsed is not { } p || !targets.TryGetValue((p.Module, p.IsA), out var layer)) { problems.Add($"unexpected key {key}"); continue; }
            if (!seen.Add((p.Module, p.IsA))) { problems.Add($"given twice (both layouts): {key}"); continue; }
            Tensor target = p.IsA ? layer.A : layer.B;
            var shape = file.Info(key).Shape;
            if (!shape.SequenceEqual(target.shape))
            {
                problems.Add($"{key}: file [{string.Join(", ", shape)}], adapter [{string.Join(", ", target.shape)}] (r or target_modules differ from adapter_config.json?)");
                continue;
            }
            plan.Add((key, target));
        }
        foreach (var key in targets.Keys.Where(k => !seen.Contains(k)))
            problems.Add($"missing {LoraKeys.SavedKey(key.Item1, key.Item2)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{path}: the adapter does not fit the model and adapter_config.json: {string.Join("; ", problems.Take(40))}{(problems.Count > 40 ? "; …" : "")}.");
        using (torch.no_grad())
            foreach (var (key, target) in plan) file.CopyInto(key, target);
    }
}
