using TorchSharp;
using VisionGrpo.Models.Qwen2_5_VL;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Models;

/// <summary>
/// The one place that maps checkpoint tensor names onto the model's parameters. Both hub layouts are accepted —
/// original (<c>model.*</c>, <c>visual.*</c>) and transformers ≥ 4.52 (<c>model.language_model.*</c>,
/// <c>model.visual.*</c>) — and canonicalized to the original one, which is also what the model registers and saves.
/// Tensors are copied straight from the memory-mapped file into the parameters (converted on the fly), so a bf16
/// checkpoint never takes an fp32 detour.
/// </summary>
internal static class WeightLoader
{
    /// <summary>Canonical (original hub) name of a checkpoint key.</summary>
    public static string Canonicalize(string key)
    {
        const string NewText = "model.language_model.";
        const string NewVision = "model.visual.";
        if (key.StartsWith(NewText, StringComparison.Ordinal)) return "model." + key[NewText.Length..];
        if (key.StartsWith(NewVision, StringComparison.Ordinal)) return "visual." + key[NewVision.Length..];
        return key;
    }

    /// <summary>
    /// The transformers ≥ 4.52 name of a canonical one (<c>model.X</c> → <c>model.language_model.X</c>,
    /// <c>visual.X</c> → <c>model.visual.X</c>): what PEFT and Qwen3-VL checkpoints use.
    /// </summary>
    public static string ToLanguageModelLayout(string canonical)
    {
        if (canonical.StartsWith("model.", StringComparison.Ordinal)) return "model.language_model." + canonical["model.".Length..];
        if (canonical.StartsWith("visual.", StringComparison.Ordinal)) return "model." + canonical;
        return canonical;
    }

    /// <summary>
    /// Fills every parameter of <paramref name="model"/> from <paramref name="checkpoint"/>. Missing, unexpected,
    /// duplicated and wrongly shaped tensors are all collected and reported in one <see cref="InvalidDataException"/>
    /// before anything is copied. With tied embeddings a stray <c>lm_head.weight</c> is ignored (HF re-ties it).
    /// </summary>
    public static void Load(QwenVLForConditionalGeneration model, SafetensorsCheckpoint checkpoint)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var plan = new List<(string Source, TorchSharp.Modules.Parameter Target)>();
        var seen = new Dictionary<string, string>();
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        var duplicated = new List<string>();
        bool tied = model.Config.Text.TieWordEmbeddings;
        foreach (string key in checkpoint.Names)
        {
            string name = Canonicalize(key);
            if (tied && name == "lm_head.weight") continue;
            if (!parameters.TryGetValue(name, out var target)) { unexpected.Add(key); continue; }
            if (seen.TryGetValue(name, out var first)) { duplicated.Add($"{first} / {key}"); continue; }
            seen[name] = key;
            var shape = checkpoint.Info(key).Shape;
            if (!shape.SequenceEqual(target.shape))
            {
                mismatched.Add($"{key}: checkpoint [{string.Join(", ", shape)}], model [{string.Join(", ", target.shape)}]");
                continue;
            }
            plan.Add((key, target));
        }
        var missing = parameters.Keys.Where(n => !seen.ContainsKey(n)).ToList();
        if (missing.Count + unexpected.Count + mismatched.Count + duplicated.Count > 0)
            throw new InvalidDataException(Describe(checkpoint.Path, model.Config.ModelType, missing, unexpected, mismatched, duplicated));
        using (torch.no_grad())
            foreach (var (source, target) in plan) checkpoint.CopyInto(source, target);
    }

    static string Describe(string path, string modelType, List<string> missing, List<string> unexpected,
        List<string> mismatched, List<string> duplicated)
    {
        static string List(string title, List<string> items) =>
            items.Count == 0 ? "" : $" {title} ({items.Count}): {string.Join(", ", items.Take(40))}{(items.Count > 40 ? ", …" : "")}.";
        return $"{path}: the weights do not fit the {modelType} model built from config.json." +
            List("Missing", missing) + List("Unexpected", unexpected) + List("Shape mismatch", mismatched) +
            List("Given twice (both key layouts)", duplicated);
    }
}
