using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Models.Qwen2;

/// <summary>
/// Which sequence positions get LM-head logits (HF <c>logits_to_keep</c>). With a 151,936-row vocabulary the head
/// dominates memory; training needs only completion positions and decoding only the last one.
/// </summary>
public readonly record struct LogitsToKeep
{
    /// <summary>Keep the last N positions (0 = all).</summary>
    public int Last { get; init; }
    /// <summary>Explicit 1-D int64 position indices (overrides <see cref="Last"/>).</summary>
    public Tensor? Positions { get; init; }

    /// <summary>Keep no position (the caller projects <c>LastHiddenState</c> itself; overrides the others).</summary>
    public bool Skip { get; init; }

    /// <summary>Every position.</summary>
    public static LogitsToKeep All => default;
    /// <summary>No logits at all: <c>[B, 0, V]</c>.</summary>
    public static LogitsToKeep None => new() { Skip = true };
    /// <summary>The last <paramref name="n"/> positions.</summary>
    public static LogitsToKeep LastN(int n) => n < 0 ? throw new ArgumentOutOfRangeException(nameof(n)) : new() { Last = n };
    /// <summary>The given positions (1-D int64).</summary>
    public static LogitsToKeep At(Tensor positions) => new() { Positions = positions };

    /// <summary>Selects the kept positions of <c>[B, L, H]</c>.</summary>
    public Tensor Select(Tensor hidden)
    {
        if (Skip) return hidden.narrow(1, hidden.shape[1], 0);
        if (Positions is not null) return hidden.index_select(1, Positions.to(ScalarType.Int64).to(hidden.device));
        long l = hidden.shape[1];
        return Last == 0 || Last >= l ? hidden : hidden.narrow(1, l - Last, Last);
    }
}
