using Parameter = TorchSharp.Modules.Parameter;

namespace VisionGrpo.Training.Optim;

/// <summary>
/// What the trainer needs from an optimizer: clip, step, zero, learning rate, and state save/load for resuming.
/// Implemented by <see cref="AdamWOptimizer"/> (fp32 parameters) and <see cref="MixedPrecisionOptimizer"/> (bf16
/// parameters with fp32 master copies).
/// </summary>
internal interface ITrainingOptimizer : IDisposable
{
    /// <summary>Current learning rate.</summary>
    double LearningRate { get; }

    /// <summary>Sets the learning rate of every parameter group.</summary>
    void SetLearningRate(double learningRate);

    /// <summary>
    /// Clips the global L2 gradient norm to <paramref name="maxNorm"/> (skipped when ≤ 0) and returns the norm before
    /// clipping (NaN/∞ included, so the trainer can stop or skip the step).
    /// </summary>
    double ClipGradNorm(double maxNorm);

    /// <summary>One optimizer update.</summary>
    void Step();

    /// <summary>Clears gradients.</summary>
    void ZeroGrad();

    /// <summary>Saves the optimizer state (everything needed to resume exactly) to <paramref name="path"/>.</summary>
    void Save(string path);

    /// <summary>Restores state written by <see cref="Save"/> for the same parameter layout.</summary>
    void Load(string path);

    /// <summary>
    /// AdamW over the trainable parameters, the way the HF Trainer configures it: a plain <see cref="AdamWOptimizer"/>
    /// when every trainable parameter is fp32, otherwise a <see cref="MixedPrecisionOptimizer"/> that keeps fp32
    /// masters for the low-precision ones (bf16 full fine-tuning).
    /// </summary>
    static ITrainingOptimizer CreateAdamW(IEnumerable<(string Name, Parameter Parameter)> namedParameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.0)
    {
        var trainable = namedParameters.Where(p => p.Parameter.requires_grad).ToList();
        return trainable.Any(p => MixedPrecisionOptimizer.NeedsMaster(p.Parameter))
            ? new MixedPrecisionOptimizer(trainable, learningRate, beta1, beta2, epsilon, weightDecay)
            : new AdamWOptimizer(trainable, learningRate, beta1, beta2, epsilon, weightDecay);
    }
}
