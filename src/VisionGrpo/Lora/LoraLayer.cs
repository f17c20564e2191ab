using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Tensors;
using static TorchSharp.torch;

namespace VisionGrpo.Lora;

/// <summary>
/// One LoRA adapter on a frozen <see cref="Linear"/>: <c>y = base(x) + B(A(dropout(x))) · scaling</c>. A is
/// <c>[r, in]</c>, B is <c>[out, r]</c> (nn.Linear layout, as PEFT saves them), both float32 whatever the base dtype.
/// The update is added by a forward hook on the base module, so the model's own code and parameter names stay as
/// they are; dropout follows the base module's train/eval mode (the model's <c>train()</c>/<c>eval()</c>) and draws
/// its masks from the <see cref="DropoutStreams"/> scope in use, if any (rank-independent), else from torch's generator.
/// </summary>
public sealed class LoraLayer : IDisposable
{
    nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _hook;

    readonly ulong _layerKey;

    /// <summary>Module name as the model registers it (original hub layout, e.g. <c>model.layers.0.self_attn.q_proj</c>).</summary>
    public string Name { get; }
    /// <summary>The wrapped base layer (its weight is frozen; merging writes into it).</summary>
    public Linear Base { get; }
    /// <summary><c>lora_A</c> weight <c>[r, in_features]</c>.</summary>
    public Parameter A { get; }
    /// <summary><c>lora_B</c> weight <c>[out_features, r]</c>.</summary>
    public Parameter B { get; }
    /// <summary>Output scale (α/r or α/√r).</summary>
    public double Scaling { get; }
    /// <summary>Dropout probability applied to the adapter input while training.</summary>
    public double Dropout { get; }
    /// <summary>Whether B·A·scaling is currently folded into the base weight.</summary>
    public bool Merged { get; private set; }
    /// <summary>While true the hook adds nothing (the base output passes through untouched).</summary>
    internal bool Disabled { get; set; }

    /// <summary>Creates the adapter for <paramref name="baseLayer"/> and initialises it per <paramref name="config"/>.</summary>
    public LoraLayer(string name, Linear baseLayer, LoraConfig config)
    {
        Name = name;
        _layerKey = DropoutStreams.LayerKey(name);
        Base = baseLayer;
        Scaling = config.Scaling;
        Dropout = config.LoraDropout;
        var w = baseLayer.weight!;
        long outFeatures = w.shape[0], inFeatures = w.shape[1];
        A = new Parameter(torch.empty(config.R, inFeatures, dtype: ScalarType.Float32, device: w.device));
        B = new Parameter(torch.empty(outFeatures, config.R, dtype: ScalarType.Float32, device: w.device));
        Initialize(config.InitLoraWeights, config.R);
        _hook = baseLayer.register_forward_hook(Hook);
        // Decode's one-row fast path bypasses module hooks: keep this layer on module.call.
        RowSplitProduct.MarkHooked(baseLayer);
    }

    void Initialize(string mode, int r)
    {
        using var _ = torch.no_grad();
        // PEFT's default: A as nn.Linear's own init (Kaiming-uniform, a = √5, i.e. U(±1/√in)), B = 0 so the adapter
        // starts as a no-op; "gaussian" draws A ~ N(0, 1/r); false keeps nn.Linear's init for both.
        if (mode == "gaussian") nn.init.normal_(A, 0, 1.0 / r);
        else nn.init.kaiming_uniform_(A, Math.Sqrt(5));
        if (mode == "false") nn.init.kaiming_uniform_(B, Math.Sqrt(5));
        else nn.init.zeros_(B);
    }

    Tensor Hook(nn.Module<Tensor, Tensor> module, Tensor x, Tensor y)
    {
        if (Disabled || Merged || _hook is null) return y;
        // As PEFT: the adapter runs in its own dtype, the sum is taken before casting back to the base dtype.
        var delta = Delta(x, module.training);
        return (y + delta).to(y.dtype);
    }

    /// <summary>The adapter's contribution <c>B(A(dropout(x)))·scaling</c> in float32.</summary>
    public Tensor Delta(Tensor x, bool training)
    {
        var h = x.to(A.dtype);
        if (training && Dropout > 0)
            h = DropoutStreams.Current is { } streams ? streams.Apply(h, Dropout, _layerKey) : nn.functional.dropout(h, Dropout, training: true);
        return nn.functional.linear(nn.functional.linear(h, A), B) * Scaling;
    }

    /// <summary><c>B·A·scaling</c> <c>[out, in]</c> in float32 (the merge update).</summary>
    public Tensor DeltaWeight() => B.mm(A) * Scaling;

    /// <summary>Folds the update into the base weight (no-op when already merged).</summary>
    public void Merge()
    {
        if (Merged) return;
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad()) Base.weight!.add_(DeltaWeight().to(Base.weight!.dtype));
        Merged = true;
    }

    /// <summary>Subtracts the update again (no-op when not merged). Exact in float32 up to rounding of the add.</summary>
    public void Unmerge()
    {
        if (!Merged) return;
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad()) Base.weight!.sub_(DeltaWeight().to(Base.weight!.dtype));
        Merged = false;
    }

    /// <summary>Detaches the hook and frees A and B (the base layer stays as it is, merged or not).</summary>
    public void Dispose()
    {
        _hook?.remove();
        _hook = null;
        RowSplitProduct.UnmarkHooked(Base);
        A.Dispose();
        B.Dispose();
    }
}
