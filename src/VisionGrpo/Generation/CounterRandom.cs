namespace VisionGrpo.Generation;

/// <summary>
/// Stateless ("counter-based") random numbers: each value is a pure function of a key built from integers — the
/// run's seed, the generation round, the global index of the completion, the token step — rather than the next
/// draw of a generator whose state depends on how much was drawn before. That makes a completion's randomness
/// independent of which process generates it, how many rows share its batch and which rows finished earlier, so a
/// run on N processes samples exactly the completions a run on one process samples. The mixing function is
/// SplitMix64's finalizer (a bijection of 64-bit integers with full avalanche), applied once per key part.
/// </summary>
public static class CounterRandom
{
    /// <summary>SplitMix64's output function: scrambles <paramref name="z"/> so that every input bit flips about half the output bits.</summary>
    public static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The key of <paramref name="key"/> extended by <paramref name="part"/> (order matters: (a, b) ≠ (b, a)).</summary>
    public static ulong Combine(ulong key, long part) => Scramble(key ^ Scramble(unchecked((ulong)part) + 0x9E3779B97F4A7C15UL));

    /// <summary>The key of the parts in order, starting from <paramref name="seed"/>.</summary>
    public static ulong Key(long seed, params ReadOnlySpan<long> parts)
    {
        ulong key = Scramble(unchecked((ulong)seed));
        foreach (long p in parts) key = Combine(key, p);
        return key;
    }

    /// <summary>A uniform double in [0, 1) from <paramref name="key"/> (53 random bits).</summary>
    public static double Uniform(ulong key) => (Scramble(key) >> 11) * (1.0 / (1UL << 53));
}
