using System.CommandLine;
using TorchSharp;
using VisionGrpo.Tensors;

namespace VisionGrpo.Cli;

/// <summary>
/// <c>--device auto|cpu|cuda[:N]</c>, the one definition every verb that loads a model adds. On recipe verbs it
/// overrides the recipe key <c>device</c>; elsewhere it is resolved by <see cref="DeviceSpec.Parse"/>.
/// </summary>
internal static class DeviceOption
{
    /// <summary>A new <c>--device</c> option (one per command: an option belongs to the command it is added to).</summary>
    public static Option<string?> Create() => new("--device")
    {
        Description = "auto, cpu, cuda or cuda:N (auto: CUDA when this build and machine have it, else CPU). On recipe verbs: overrides the key device.",
    };

    /// <summary>The <c>--set</c> override a given <c>--device</c> adds to a recipe (none when not given).</summary>
    public static IEnumerable<string> AsRecipeSet(string? value) => value is null ? [] : [$"device={value}"];

    /// <summary>The torch device for <paramref name="value"/> (<c>auto</c> when not given).</summary>
    public static torch.Device Resolve(string? value) => DeviceSpec.Parse(value ?? "auto");
}
