// TEMPORARY: compile-time stand-in for the visiontower branch's VisionConfig.cs / VisionTransformer.cs.
// Deleted when `git merge visiontower` lands.
using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2_5_VL;

/// <summary>Stand-in.</summary>
public sealed class Qwen2_5_VisionTransformer : nn.Module
{
    /// <summary>Stand-in.</summary>
    public Qwen2_5_VisionTransformer(Qwen2_5_VLVisionConfig config) : base("Qwen2_5_VisionTransformer") { }
    /// <summary>Stand-in.</summary>
    public Tensor forward(Tensor pixelValues, Tensor gridThw) => throw new NotImplementedException();
}
