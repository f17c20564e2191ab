using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic;

/// <summary>One kind of synthetic visual-math problem.</summary>
public interface ISynthTemplate
{
    /// <summary>Short task name stored with the example.</summary>
    string Name { get; }

    /// <summary>Draws one problem; all randomness comes from <paramref name="rng"/> so a seed reproduces it.</summary>
    SynthExample Make(NumpyRandom rng, SynthSettings settings);

    /// <summary>
    /// One short reasoning line for a completion whose answer is <paramref name="answer"/> (right or wrong), in this
    /// task's words (it may restate the answer or not); the noisy teacher (<see cref="NoisyTeacher"/>) writes it
    /// inside <c>&lt;think&gt;</c>.
    /// </summary>
    string Claim(int answer) => $"The answer is {answer}.";
}
