using TorchSharp;
using VisionGrpo.Tensors;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace VisionGrpo.Training.Optim;

/// <summary>
/// AdamW with fp32 master parameters for a model whose trainable weights are bf16 (or fp16): forward and backward run
/// on the low-precision weights, the optimizer owns fp32 copies. Before clipping the gradients are cast onto the
/// masters, clipping and AdamW run in fp32, and the updated masters are rounded back into the model. Without masters
/// an update smaller than half a bf16 ulp (2⁻⁹ relative) is rounded away every step, so small learning rates would
/// not train at all; with them it accumulates until it crosses a representable value. fp32 trainable parameters (e.g.
/// LoRA adapters on a bf16 base) are their own masters.
/// </summary>
internal sealed class MixedPrecisionOptimizer : ITrainingOptimizer
{
    /// <summary>Suffix of the file, next to the AdamW state, that holds the fp32 masters.</summary>
    public const string MastersSuffix = ".fp32_masters.safetensors";

    readonly List<(string Name, Parameter Model, Parameter Master)> _pairs;
    readonly AdamWOptimizer _adamW;
    // Set once the model's gradients were cast onto the masters for this step, so clipping is not undone by a
    // second cast in Step.
    bool _gradsOnMasters;

    /// <summary>Creates masters for the low-precision trainable parameters and AdamW over the masters.</summary>
    /// <exception cref="ArgumentException">No trainable parameter, or an invalid hyper-parameter.</exception>
    public MixedPrecisionOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.0)
    {
        var trainable = namedParameters.Where(p => p.Parameter.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("AdamW: the model has no trainable parameters.");
        _pairs = new List<(string, Parameter, Parameter)>(trainable.Count);
        try
        {
            using (no_grad())
                foreach (var (name, parameter) in trainable)
                    _pairs.Add((name, parameter, NeedsMaster(parameter)
                        ? new Parameter(parameter.detach().to(ScalarType.Float32, copy: true), requires_grad: true)
                        : parameter));
            _adamW = new AdamWOptimizer(_pairs.Select(p => (p.Name, p.Master)), learningRate, beta1, beta2, epsilon, weightDecay);
        }
        catch
        {
            DisposeMasters();
            throw;
        }
    }

    /// <summary>Whether <paramref name="parameter"/> is stored in a floating type narrower than fp32.</summary>
    public static bool NeedsMaster(Tensor parameter) =>
        parameter.dtype is ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>Number of parameters that have a separate fp32 master.</summary>
    public int MasterCount => _pairs.Count(p => !ReferenceEquals(p.Model, p.Master));

    /// <summary>The fp32 master of trainable parameter <paramref name="name"/> (the parameter itself when it is fp32).</summary>
    /// <exception cref="KeyNotFoundException">No trainable parameter has that name.</exception>
    public Parameter MasterOf(string name)
    {
        foreach (var pair in _pairs)
            if (pair.Name == name) return pair.Master;
        throw new KeyNotFoundException($"no trainable parameter named '{name}'.");
    }

    /// <inheritdoc/>
    public double LearningRate => _adamW.LearningRate;

    /// <inheritdoc/>
    public void SetLearningRate(double learningRate) => _adamW.SetLearningRate(learningRate);

    /// <inheritdoc/>
    public double ClipGradNorm(double maxNorm)
    {
        GradsToMasters();
        return _adamW.ClipGradNorm(maxNorm);
    }

    /// <inheritdoc/>
    public void Step()
    {
        GradsToMasters();
        _adamW.Step();
        MastersToModel();
    }

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        _adamW.ZeroGrad();
        using var scope = NewDisposeScope();
        foreach (var (_, model, master) in _pairs)
            if (!ReferenceEquals(model, master)) model.grad?.zero_();
        _gradsOnMasters = false;
    }

    /// <summary>
    /// Saves the AdamW moments to <paramref name="path"/> and the fp32 masters to <paramref name="path"/> +
    /// <see cref="MastersSuffix"/>: the bf16 weights saved with the model are rounded, the masters are what resuming
    /// continues from.
    /// </summary>
    public void Save(string path)
    {
        _adamW.Save(path);
        SafetensorsWriter.Save(path + MastersSuffix, _pairs
            .Where(p => !ReferenceEquals(p.Model, p.Master))
            .Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Master)));
    }

    /// <summary>Restores moments and masters written by <see cref="Save"/> and rounds the masters into the model.</summary>
    /// <exception cref="FileNotFoundException">Either file is missing.</exception>
    /// <exception cref="InvalidDataException">The masters file does not match the trainable parameters.</exception>
    public void Load(string path)
    {
        string mastersPath = path + MastersSuffix;
        if (!File.Exists(mastersPath))
            throw new FileNotFoundException($"fp32 master weights '{mastersPath}' do not exist: the checkpoint was not saved by bf16 full fine-tuning and cannot be resumed exactly.", mastersPath);
        _adamW.Load(path);
        using var file = SafetensorsFile.Open(mastersPath);
        var expected = _pairs.Where(p => !ReferenceEquals(p.Model, p.Master)).ToList();
        var missing = expected.Where(p => !file.Contains(p.Name) || !file.Info(p.Name).Shape.SequenceEqual(p.Master.shape))
            .Select(p => p.Name).ToList();
        if (missing.Count > 0 || file.Names.Count != expected.Count)
            throw new InvalidDataException(
                $"{mastersPath}: holds {file.Names.Count} masters, the model has {expected.Count} bf16 trainable parameters; " +
                $"missing or of another shape: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")}.");
        using (no_grad())
            foreach (var (name, _, master) in expected) file.CopyInto(name, master);
        MastersToModel();
    }

    void GradsToMasters()
    {
        if (_gradsOnMasters) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, model, master) in _pairs)
        {
            if (ReferenceEquals(model, master)) continue;
            var grad = model.grad;
            var masterGrad = master.grad;
            // No gradient yet (parameter unused so far): leave the master without one too, so AdamW skips it. Once
            // set, gradients are zeroed rather than dropped, the same as the plain AdamW path.
            if (grad is null) masterGrad?.zero_();
            else if (masterGrad is null) master.grad = grad.to(ScalarType.Float32, copy: true);
            else masterGrad.copy_(grad);
        }
        _gradsOnMasters = true;
    }

    void MastersToModel()
    {
        using var noGrad = no_grad();
        // copy_ rounds to nearest even, the same rounding as .to(bfloat16).
        foreach (var (_, model, master) in _pairs)
            if (!ReferenceEquals(model, master)) model.copy_(master);
    }

    void DisposeMasters()
    {
        foreach (var (_, model, master) in _pairs)
            if (!ReferenceEquals(model, master)) master.Dispose();
    }

    /// <summary>Disposes the AdamW state and the masters (not the model's parameters).</summary>
    public void Dispose()
    {
        _adamW?.Dispose();
        DisposeMasters();
    }
}
