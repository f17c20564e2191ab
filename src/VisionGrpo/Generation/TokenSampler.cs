using TorchSharp;
using static TorchSharp.torch;

namespace VisionGrpo.Generation;

/// <summary>
/// Picks the next token from processed logits: argmax when greedy, else one draw per row from the softmax. A draw
/// is the inverse CDF of one uniform number, and that number is <see cref="CounterRandom"/>'s value for (seed,
/// the row's sequence index, the token step): a sequence samples the same tokens whatever else shares its batch,
/// whichever rows finished before it, and on whichever process it is generated.
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    readonly long _seed;
    readonly bool _sample;

    /// <summary>Takes the seed from <paramref name="options"/> (a random seed when none is set).</summary>
    public TokenSampler(ResolvedGeneration options)
    {
        _sample = options.DoSample;
        _seed = options.Seed ?? Random.Shared.NextInt64();
    }

    /// <summary>The seed every stream derives from.</summary>
    public long Seed => _seed;

    /// <summary>
    /// The key of the model's own randomness (LoRA dropout) for the forward pass that consumes token
    /// <paramref name="step"/> of sequence <paramref name="sequence"/> (step 0: the prompt's prefill).
    /// </summary>
    public ulong StreamKey(int step, long sequence) => CounterRandom.Key(_seed, DropoutPurpose, sequence, step);

    /// <summary>Separates dropout keys from the token draws' keys.</summary>
    const long DropoutPurpose = 0x44524F50; // "DROP"

    /// <summary>
    /// Next ids <c>[n]</c> int64 for processed logits <c>[n, V]</c>; row r belongs to sequence
    /// <paramref name="sequences"/>[r], at token <paramref name="step"/> of its completion.
    /// </summary>
    public Tensor Next(Tensor processed, ReadOnlySpan<long> sequences, int step)
    {
        if (!_sample) return processed.argmax(-1);
        if (sequences.Length != processed.shape[0])
            throw new ArgumentException($"{sequences.Length} sequence indices for {processed.shape[0]} rows of logits.");
        using var scope = torch.NewDisposeScope();
        var uniforms = new double[sequences.Length];
        for (int r = 0; r < uniforms.Length; r++) uniforms[r] = CounterRandom.Uniform(CounterRandom.Key(_seed, sequences[r], step));
        // Inverse CDF: float32 softmax, float64 running sum (so 152k-entry vocabularies keep their small masses), then
        // a binary search for the first id whose cumulative mass exceeds u; zero-probability ids never qualify.
        var cdf = processed.to(ScalarType.Float32).softmax(-1).cumsum(-1, type: ScalarType.Float64);
        long last = cdf.shape[^1] - 1;
        var u = torch.tensor(uniforms, dtype: ScalarType.Float64, device: cdf.device).unsqueeze(1) * cdf.narrow(-1, last, 1);
        var index = torch.searchsorted(cdf, u, right: true).squeeze(-1).clamp_max(last);
        return index.to(processed.device).MoveToOuterDisposeScope();
    }

    /// <summary>Nothing to release (kept so callers can scope it).</summary>
    public void Dispose() { }
}
