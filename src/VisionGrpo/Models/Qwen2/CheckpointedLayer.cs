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

    /// <summary>Stands for "no dropout scope" in the saved data (which may not hold null).</summary>
    static readonly object NoStreams = new();

    /// <summary>Runs <paramref name="layer"/> checkpointed. The input must require grad or the node is skipped.</summary>
    public static Tensor Run(Qwen2DecoderLayer layer, Tensor hidden, DecoderInputs inputs) =>
        // The rotary tables and the mask go in as tensor arguments so that save_for_backward keeps them alive:
        // the forward's dispose scopes are gone by the time backward runs.
        apply(hidden, inputs.Cos, inputs.Sin, inputs.Allowed!, layer, inputs);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var hidden = (Tensor)vars[0];
        var inputs = (DecoderInputs)vars[5];
        var saved = new List<Tensor> { hidden, inputs.Cos, inputs.Sin };
        if (inputs.Allowed is not null) saved.Add(inputs.Allowed);
        ctx.save_for_backward(saved);
        ctx.save_data("layer", vars[4]);
        ctx.save_data("causal", inputs.IsCausal);
        ctx.save_data("kernel", inputs.Implementation);
        // Like torch.utils.checkpoint's preserve_rng_state: the recompute must draw the same dropout masks (LoRA
        // dropout in training), so the CPU generator's state is kept as managed bytes (no tensor outlives the step).
        using (var state = torch.random.get_rng_state()) ctx.save_data("rng", state.data<byte>().ToArray());
        // Keyed LoRA dropout (DropoutStreams) in use now is gone by the time backward runs: keep it for the recompute.
        ctx.save_data("dropout", (object?)Lora.DropoutStreams.Current ?? NoStreams);
        return ((Qwen2DecoderLayer)vars[4]).forward(hidden, inputs);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var layer = (Qwen2DecoderLayer)ctx.get_data("layer");
        Tensor inputGrad;
        using (torch.enable_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var inputs = new DecoderInputs
            {
                Cos = saved[1],
                Sin = saved[2],
                Allowed = saved.Count > 3 ? saved[3] : null,
                IsCausal = (bool)ctx.get_data("causal"),
                Implementation = (AttentionImplementation)ctx.get_data("kernel"),
            };
            var x = saved[0].detach().requires_grad_(true);
            // Recompute with the forward's RNG state, then give the generator back its own state (fork_rng).
            var current = torch.random.get_rng_state();
            torch.random.set_rng_state(torch.tensor((byte[])ctx.get_data("rng")));
            Tensor y;
            var streams = ctx.get_data("dropout") as Lora.DropoutStreams;
            try { using (Lora.DropoutStreams.Resume(streams)) y = layer.forward(x, inputs); }
            finally { torch.random.set_rng_state(current); }
            torch.autograd.backward([y], [gradOutput]);
            inputGrad = x.grad!.MoveToOuterDisposeScope();
        }
        // One entry per apply() argument; only the hidden states are differentiable here.
        return [inputGrad, null!, null!, null!, null!, null!];
    }
}
