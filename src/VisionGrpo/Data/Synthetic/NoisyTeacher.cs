using System.Globalization;
using System.Numerics;
using VisionGrpo.Data.Rng;

namespace VisionGrpo.Data.Synthetic;

/// <summary>
/// A deliberately unreliable teacher for supervised warm-up: for each row it writes a short completion in the
/// recipe's format, <c>&lt;think&gt;\n{claim}\n&lt;/think&gt;\n&lt;answer&gt;\n$X$\n&lt;/answer&gt;</c>, whose answer X is
/// the gold answer with probability <see cref="Accuracy"/> and otherwise an overcount by one (gold + 1). A model
/// trained on it learns the format, to read the image, and a partly right answer distribution with a systematic bias,
/// which leaves GRPO room to improve.
/// </summary>
public sealed class NoisyTeacher
{
    // Offset of the teacher's random stream, so its draws never coincide with the rows' own streams ((seed << 32) + i).
    static readonly BigInteger StreamOffset = BigInteger.One << 96;

    readonly VisualMathGenerator _generator;
    readonly BigInteger _seed;

    /// <summary>Creates a teacher for the rows of <paramref name="generator"/>.</summary>
    /// <param name="generator">The generator whose rows are labelled (its templates and settings draw wrong answers).</param>
    /// <param name="accuracy">Probability that a target carries the gold answer, in [0, 1].</param>
    /// <param name="seed">Seed of the teacher's own draws (non-negative).</param>
    public NoisyTeacher(VisualMathGenerator generator, double accuracy, long seed)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(accuracy is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "teacher accuracy must be in [0, 1]");
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), seed, "seed must be non-negative");
        (_generator, Accuracy, _seed) = (generator, accuracy, seed);
    }

    /// <summary>Probability that a target's answer is the gold one.</summary>
    public double Accuracy { get; }

    /// <summary>The completion in the recipe's format stating <paramref name="answer"/> for a problem of <paramref name="template"/>.</summary>
    public static string Completion(ISynthTemplate template, int answer) =>
        $"<think>\n{template.Claim(answer)}\n</think>\n<answer>\n${answer.ToString(CultureInfo.InvariantCulture)}$\n</answer>";

    /// <summary>The teacher's target for row <paramref name="index"/> (whose generated example is <paramref name="example"/>).</summary>
    public string Target(int index, SynthExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var template = _generator.Templates.FirstOrDefault(t => t.Name == example.Task)
            ?? throw new ArgumentException($"row {index}: task '{example.Task}' is not one of the generator's templates", nameof(example));
        int gold = int.Parse(example.Answer, CultureInfo.InvariantCulture);
        var rng = new NumpyRandom(StreamOffset + (_seed << 32) + index);
        return Completion(template, rng.Random() < Accuracy ? gold : WrongAnswer(gold));
    }

    // The teacher's slip is always an overcount by one. A wrong target then still depends on the image, so SFT
    // keeps the model reading it (wrong answers drawn from the task's whole answer range, tried first, let a model
    // fit the targets nearly as well by ignoring the image, and SFT forgot how to see); and the bias is systematic,
    // the kind of error a verifiable reward can train away.
    static int WrongAnswer(int gold) => gold + 1;
}
