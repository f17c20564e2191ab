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
        Templates = templates ?? AllTemplates();
        if (Templates.Count == 0) throw new ArgumentException("at least one template is required", nameof(templates));
    }

    /// <summary>The numeric settings of the generator's difficulty.</summary>
    public SynthSettings Settings => _settings;

    /// <summary>The templates drawn from, each equally likely.</summary>
    public IReadOnlyList<ISynthTemplate> Templates { get; }

    /// <summary>Row <paramref name="index"/>: seeded by (seed, index), so a row does not depend on how many are generated.</summary>
    public SynthExample Make(int index)
    {
        var rng = new NumpyRandom((_seed << 32) + index);
        var template = Templates[(int)rng.Integers(0, Templates.Count)];
        return template.Make(rng, _settings);
    }

    /// <summary>Every built-in template, in the default order.</summary>
    public static IReadOnlyList<ISynthTemplate> AllTemplates() =>
        [new CountDotsTemplate(), new TallestBarTemplate(), new DigitSumTemplate(), new ClockHourTemplate()];

    /// <summary>The built-in templates with the given names, in the order given.</summary>
    /// <exception cref="ArgumentException">A name is not a built-in template.</exception>
    public static IReadOnlyList<ISynthTemplate> TemplatesNamed(IEnumerable<string> names)
    {
        var all = AllTemplates();
        return names.Select(n => all.FirstOrDefault(t => t.Name == n)
            ?? throw new ArgumentException($"unknown synthetic task '{n}' (use {string.Join(", ", all.Select(t => t.Name))})")).ToList();
    }

    /// <summary>Rows 0 .. <paramref name="rows"/>-1.</summary>
    public IEnumerable<SynthExample> Generate(int rows)
    {
        for (int i = 0; i < rows; i++) yield return Make(i);
    }
}
