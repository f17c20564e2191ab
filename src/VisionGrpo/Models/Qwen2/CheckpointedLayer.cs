using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Activation checkpointing for one decoder layer (TorchSharp has no <c>torch.utils.checkpoint</c>): the forward runs
/// without a graph and keeps only the layer input; backward recomputes the layer under grad mode and back-propagates
/// the incoming gradient through it, which accumulates the parameter gradients and yields the input gradient.
/// </summary>
internal sealed class CheckpointedLayer : autograd.SingleTensorFunction<CheckpointedLayer>
{
    public override string Name => nameof(CheckpointedLayer);

    /// <summary>Runs <paramref name="layer"/> checkpointed. The input must require grad or the node is skipped.</summary>
    public static Tensor Run(Qwen2DecoderLayer layer, Tensor hidden, DecoderInputs inputs) => apply(hidden, layer, inputs);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var hidden = (Tensor)vars[0];
        var layer = (Qwen2DecoderLayer)vars[1];
        var inputs = (DecoderInputs)vars[2];
        ctx.save_for_backward([hidden]);
        ctx.save_data("layer", layer);
        ctx.save_data("inputs", inputs);
        return layer.forward(hidden, inputs);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables()[0];
        var layer = (Qwen2DecoderLayer)ctx.get_data("layer");
        var inputs = (DecoderInputs)ctx.get_data("inputs");
        Tensor inputGrad;
        using (torch.enable_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var x = saved.detach().requires_grad_(true);
            var y = layer.forward(x, inputs);
            torch.autograd.backward([y], [gradOutput]);
            inputGrad = x.grad!.MoveToOuterDisposeScope();
        }
        // One entry per apply() argument: the layer and the inputs are not tensors.
        return [inputGrad, null!, null!];
    }
}
