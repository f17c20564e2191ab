using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Optim;

/// <summary>
/// AdamW as the HF Trainer sets it up: <c>adam_beta1/2</c>, <c>adam_epsilon</c>, <c>weight_decay</c> (default 0, not
/// TorchSharp's 0.01) applied only to parameters whose names are not biases or norms, the learning rate driven by an
/// <see cref="LrScheduler"/>, gradient-norm clipping that returns the pre-clip norm (the <c>grad_norm</c> metric), and
/// state save/load for resuming (TorchSharp's optimizer format, not PyTorch's <c>optimizer.pt</c>).
/// </summary>
internal sealed class AdamWOptimizer : ITrainingOptimizer
{
    // transformers' get_decay_parameter_names: no decay for biases and normalisation weights.
    static readonly Regex NoDecay = new(@"bias|layernorm|rmsnorm|(?:^|\.)norm(?:$|\.)|_norm(?:$|\.)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    readonly AdamW _optimizer;
    readonly List<Parameter> _parameters;

    /// <summary>File name used inside a checkpoint folder.</summary>
    public const string StateFileName = "optimizer.torchsharp";

    /// <summary>Creates the optimizer over the trainable (requires-grad) parameters.</summary>
    /// <exception cref="ArgumentException">No trainable parameter, or an invalid hyper-parameter.</exception>
    public AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.0)
    {
        var trainable = namedParameters.Where(p => p.Parameter.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("AdamW: the model has no trainable parameters.");
        if (!(learningRate >= 0)) throw new ArgumentException($"learning_rate must be ≥ 0 (got {learningRate}).");
        if (!(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1))
            throw new ArgumentException($"adam_beta1/adam_beta2 must be in [0, 1) (got {beta1}, {beta2}).");
        if (!(epsilon > 0)) throw new ArgumentException($"adam_epsilon must be > 0 (got {epsilon}).");
        if (!(weightDecay >= 0)) throw new ArgumentException($"weight_decay must be ≥ 0 (got {weightDecay}).");
        _parameters = trainable.Select(p => p.Parameter).ToList();
        var decay = trainable.Where(p => !NoDecay.IsMatch(p.Name)).Select(p => p.Parameter).ToList();
        var noDecay = trainable.Where(p => NoDecay.IsMatch(p.Name)).Select(p => p.Parameter).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Count > 0) groups.Add(new AdamW.ParamGroup(decay, new AdamW.Options { LearningRate = learningRate, beta1 = beta1, beta2 = beta2, eps = epsilon, weight_decay = weightDecay }));
        if (noDecay.Count > 0) groups.Add(new AdamW.ParamGroup(noDecay, new AdamW.Options { LearningRate = learningRate, beta1 = beta1, beta2 = beta2, eps = epsilon, weight_decay = 0.0 }));
        _optimizer = torch.optim.AdamW(groups, learningRate, beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>Trainable parameters, in registration order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public void SetLearningRate(double learningRate)
    {
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
    }

    /// <summary>Current learning rate (first group).</summary>
    public double LearningRate => _optimizer.ParamGroups.First().LearningRate;

    /// <summary>
    /// Clips the global L2 norm of all gradients to <paramref name="maxNorm"/> (skipped when ≤ 0, as the Trainer does)
    /// and returns the norm before clipping (NaN/∞ are returned, not hidden, so the trainer can stop).
    /// </summary>
    public double ClipGradNorm(double maxNorm)
    {
        if (maxNorm > 0) return torch.nn.utils.clip_grad_norm_(_parameters, maxNorm);
        using var scope = torch.NewDisposeScope();
        var norms = _parameters.Where(p => p.grad is not null).Select(p => p.grad!.detach().to(ScalarType.Float64).norm()).ToList();
        return norms.Count == 0 ? 0.0 : torch.stack(norms).norm().item<double>();
    }

    /// <summary>One AdamW update.</summary>
    public void Step() => _optimizer.step();

    /// <summary>Clears gradients.</summary>
    public void ZeroGrad() => _optimizer.zero_grad();

    /// <summary>Saves moments and step counts to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        _optimizer.save_state_dict(path);
    }

    /// <summary>Restores state written by <see cref="Save"/> (same parameter layout required).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public void Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"optimizer state '{path}' does not exist.", path);
        _optimizer.load_state_dict(path);
    }

    /// <summary>Disposes the optimizer state.</summary>
    public void Dispose() => _optimizer.Dispose();
}
