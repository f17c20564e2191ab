using System.CommandLine;
using TorchSharp;

namespace VisionGrpo.Cli.Commands;

/// <summary>Options shared by the <c>model</c> verbs.</summary>
internal static class ModelOptions
{
    public static Option<string> DType() => new("--dtype")
    {
        Description = "Weight and activation dtype: fp32 or bf16.",
        DefaultValueFactory = _ => "fp32",
    };

    public static torch.ScalarType ParseDType(string value) => value.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => torch.ScalarType.Float32,
        "bf16" or "bfloat16" => torch.ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype '{value}' is not one of fp32, bf16."),
    };
}
