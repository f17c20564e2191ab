using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>Output of <see cref="Qwen2Model.forward"/>.</summary>
public sealed class Qwen2ModelOutput
{
    /// <summary>Final-norm output <c>[B, L, hidden]</c>.</summary>
    public required Tensor LastHiddenState { get; init; }
    /// <summary>When requested: the embeddings then each layer's output (before the final norm), <c>layers + 1</c> entries.</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }
}

/// <summary>
/// The Qwen2 decoder stack (HF <c>Qwen2Model</c> / <c>Qwen2_5_VLTextModel</c>): token embedding, decoder layers,
/// final RMSNorm. Parameter names match HF below the <c>model.</c> prefix.
/// </summary>
public sealed class Qwen2Model : nn.Module
{
    /// <summary>Token embedding <c>[vocab, hidden]</c>.</summary>
    public readonly Embedding embed_tokens;
    /// <summary>Decoder layers.</summary>
    public readonly ModuleList<Qwen2DecoderLayer> layers;
    /// <summary>Final norm.</summary>
    public readonly Qwen2RMSNorm norm;
    readonly Qwen2RotaryEmbedding _rotary;

    /// <summary>The hyper-parameters.</summary>
    public Qwen2TextConfig Config { get; }
    /// <summary>Attention kernel (SDPA by default).</summary>
    public AttentionImplementation Attention { get; set; } = AttentionImplementation.Sdpa;
    /// <summary>Recompute each layer in backward instead of storing its activations (only while grad is enabled).</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Creates the stack in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public Qwen2Model(Qwen2TextConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Qwen2Model))
    {
        Config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        layers = new ModuleList<Qwen2DecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(i => new Qwen2DecoderLayer(config, i, dtype, device)).ToArray());
        norm = new Qwen2RMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        _rotary = new Qwen2RotaryEmbedding(config, device);
        RegisterComponents();
    }

    /// <summary>Embedding lookup of <c>[B, L]</c> int64 ids.</summary>
    public Tensor Embed(Tensor inputIds) => embed_tokens.forward(inputIds);

    /// <summary>
    /// Runs the layers on <paramref name="inputsEmbeds"/> <c>[B, L, hidden]</c> with positions <c>[3, B, L]</c>.
    /// <paramref name="attentionMask"/> <c>[B, L]</c> marks real tokens of this call (null = all); with a
    /// <paramref name="cache"/> the tokens are appended after the cached ones and attend to them.
    /// <paramref name="deepstack"/> (Qwen3-VL) adds vision features to the image rows after the first layers; the
    /// recorded hidden states include that addition.
    /// </summary>
    public Qwen2ModelOutput forward(Tensor inputsEmbeds, Tensor positionIds, Tensor? attentionMask = null,
        KvCache? cache = null, bool outputHiddenStates = false, DeepstackInjection? deepstack = null)
    {
        using var scope = torch.NewDisposeScope();
        // Batch-1 decode: the layers' small ops on one thread, the weight products split across the cores.
        using var oneRowStep = RowSplitProduct.EnterOneRowStep(inputsEmbeds);
        int length = (int)inputsEmbeds.shape[1];
        int start = cache?.Length ?? 0;
        var keyMask = cache is not null ? cache.BeginStep(attentionMask, length) : attentionMask;
        var (cos, sin) = _rotary.Compute(positionIds, inputsEmbeds.dtype);
        var inputs = new DecoderInputs
        {
            Cos = cos,
            Sin = sin,
            Allowed = DecoderInputs.BuildAllowed(keyMask, start, length, Attention == AttentionImplementation.Eager && start > 0, inputsEmbeds.device),
            IsCausal = true,
            Cache = cache,
            Implementation = Attention,
        };
        bool checkpoint = GradientCheckpointing && torch.is_grad_enabled() && cache is null;
        var hidden = inputsEmbeds;
        // A checkpoint node is skipped when none of its inputs needs grad (frozen embeddings under LoRA).
        if (checkpoint && !hidden.requires_grad) hidden = hidden.detach().requires_grad_(true);
        List<Tensor>? all = outputHiddenStates ? [hidden] : null;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            hidden = checkpoint ? CheckpointedLayer.Run(layer, hidden, inputs) : layer.forward(hidden, inputs);
            if (deepstack is not null) hidden = deepstack.AddAfterLayer(hidden, i);
            all?.Add(hidden);
        }
        cache?.EndStep(length);
        var result = new Qwen2ModelOutput { LastHiddenState = norm.forward(hidden), HiddenStates = all };
        result.LastHiddenState.MoveToOuterDisposeScope();
        if (all is not null) foreach (var t in all) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>Frees the rotary table along with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rotary.Dispose();
        base.Dispose(disposing);
    }
}
