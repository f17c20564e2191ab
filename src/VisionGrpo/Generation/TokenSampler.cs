using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// Picks the next token from processed logits: argmax when greedy, else one draw per row from the softmax using a
/// seeded CPU <see cref="torch.Generator"/>. A draw is the inverse CDF of one uniform number per row, so each row
/// consumes exactly one value of the stream per step and the same seed gives the same tokens.
/// </summary>
internal sealed class TokenSampler : IDisposable
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
        // Inverse CDF: float32 softmax, float64 running sum (so 152k-entry vocabularies keep their small masses), then
        // a binary search for the first id whose cumulative mass exceeds u; zero-probability ids never qualify.
        var cdf = processed.to(ScalarType.Float32).softmax(-1).cumsum(-1, type: ScalarType.Float64);
        long last = cdf.shape[^1] - 1;
        var u = torch.rand([cdf.shape[0], 1], dtype: ScalarType.Float64, generator: _generator, device: cdf.device) * cdf.narrow(-1, last, 1);
        var index = torch.searchsorted(cdf, u, right: true).squeeze(-1).clamp_max(last);
        return index.to(processed.device).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the generator.</summary>
    public void Dispose() => _generator?.Dispose();
}
