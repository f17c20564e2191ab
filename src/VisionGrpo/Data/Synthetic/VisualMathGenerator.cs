using System.Numerics;
using VisionGrpo.Data.Rng;
using VisionGrpo.Data.Synthetic.Templates;

namespace VisionGrpo.Data.Synthetic;

/// <summary>
/// Deterministic synthetic visual-math problems (count dots, tallest bar, digit sum, clock hour): tiny images
/// with exact small-integer answers, learnable by a small VLM, in the columns of the recipe's dataset.
/// </summary>
public sealed class VisualMathGenerator
{
    readonly BigInteger _seed;
    readonly SynthSettings _settings;

    /// <summary>Creates a generator; the same seed and difficulty always give the same rows.</summary>
    public VisualMathGenerator(long seed, SynthDifficulty difficulty = SynthDifficulty.Easy, IReadOnlyList<ISynthTemplate>? templates = null)
    {
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), seed, "seed must be non-negative");
        _seed = seed;
        _settings = SynthSettings.For(difficulty);
        Templates = templates ?? [new CountDotsTemplate(), new TallestBarTemplate(), new DigitSumTemplate(), new ClockHourTemplate()];
        if (Templates.Count == 0) throw new ArgumentException("at least one template is required", nameof(templates));
    }

    /// <summary>The templates drawn from, each equally likely.</summary>
    public IReadOnlyList<ISynthTemplate> Templates { get; }

    /// <summary>Row <paramref name="index"/>: seeded by (seed, index), so a row does not depend on how many are generated.</summary>
    public SynthExample Make(int index)
    {
        var rng = new NumpyRandom((_seed << 32) + index);
        var template = Templates[(int)rng.Integers(0, Templates.Count)];
        return template.Make(rng, _settings);
    }

    /// <summary>Rows 0 .. <paramref name="rows"/>-1.</summary>
    public IEnumerable<SynthExample> Generate(int rows)
    {
        for (int i = 0; i < rows; i++) yield return Make(i);
    }
}
