using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// Picks the next token from processed logits: argmax when greedy, else one draw per row from the softmax using a
/// seeded CPU <see cref="torch.Generator"/>. A draw is the inverse CDF of one uniform number per row, so each row
/// consumes exactly one value of the stream per step and the same seed gives the same tokens.
/// </summary>
public sealed class TokenSampler : IDisposable
{
    readonly torch.Generator? _generator;
    readonly bool _sample;

    /// <summary>Seeds the generator from <paramref name="options"/> (a random seed when none is set).</summary>
    public TokenSampler(ResolvedGeneration options)
    {
        _sample = options.DoSample;
        if (_sample)
        {
            ulong seed = options.Seed is long s ? unchecked((ulong)s) : (ulong)Random.Shared.NextInt64();
            _generator = new torch.Generator(seed, torch.CPU);
        }
    }

    /// <summary>Next ids <c>[n]</c> int64 for processed logits <c>[n, V]</c>.</summary>
    public Tensor Next(Tensor processed)
    {
        if (!_sample) return processed.argmax(-1);
        using var scope = torch.NewDisposeScope();
        var probs = processed.to(ScalarType.Float64).softmax(-1).cpu();
        var cdf = probs.cumsum(-1);
        var u = torch.rand([probs.shape[0], 1], dtype: ScalarType.Float64, generator: _generator) * cdf.narrow(-1, cdf.shape[^1] - 1, 1);
        // First index whose cumulative mass exceeds u: zero-probability ids never qualify (their step adds nothing).
        var index = (cdf <= u).sum(-1).clamp_max(probs.shape[^1] - 1);
        return index.to(processed.device).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the generator.</summary>
    public void Dispose() => _generator?.Dispose();
}
