using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic;

/// <summary>One kind of synthetic visual-math problem.</summary>
public interface ISynthTemplate
{
    /// <summary>Short task name stored with the example.</summary>
    string Name { get; }

    /// <summary>Draws one problem; all randomness comes from <paramref name="rng"/> so a seed reproduces it.</summary>
    SynthExample Make(NumpyRandom rng, SynthSettings settings);
}
