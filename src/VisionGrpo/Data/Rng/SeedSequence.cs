using System.Numerics;

namespace VisionGrpo.Data.Rng;

/// <summary>
/// numpy's <c>SeedSequence</c> (pool size 4, no spawn key): turns an integer seed into well-mixed state words.
/// Bit-exact with numpy 1.24–2.x so that seeds give the same streams as Python.
/// </summary>
internal sealed class SeedSequence
{
    const uint InitA = 0x43b0d7e5, MultA = 0x931e8875, InitB = 0x8b51f9dd, MultB = 0x58f38ded;
    const uint MixMultL = 0xca01f9dd, MixMultR = 0x4973f715;
    const int PoolSize = 4;

    readonly uint[] _pool = new uint[PoolSize];

    /// <summary>Mixes a non-negative integer seed (any size) into the entropy pool.</summary>
    /// <exception cref="ArgumentException">The seed is negative (numpy's message: "expected non-negative integer").</exception>
    public SeedSequence(BigInteger entropy)
    {
        Entropy = entropy;
        uint[] words = ToWords(entropy);
        uint hashConst = InitA;
        for (int i = 0; i < PoolSize; i++)
            _pool[i] = HashMix(i < words.Length ? words[i] : 0u, ref hashConst);
        // The loop order (source outer, destination inner) is part of the algorithm.
        for (int src = 0; src < PoolSize; src++)
            for (int dst = 0; dst < PoolSize; dst++)
                if (src != dst)
                    _pool[dst] = Mix(_pool[dst], HashMix(_pool[src], ref hashConst));
        for (int src = PoolSize; src < words.Length; src++)
            for (int dst = 0; dst < PoolSize; dst++)
                _pool[dst] = Mix(_pool[dst], HashMix(words[src], ref hashConst));
    }

    /// <summary>The seed this sequence was built from.</summary>
    public BigInteger Entropy { get; }

    /// <summary>The mixed entropy pool (4 words).</summary>
    public IReadOnlyList<uint> Pool => _pool;

    /// <summary>Splits a non-negative integer into 32-bit words, least significant first (<c>0 → [0]</c>).</summary>
    public static uint[] ToWords(BigInteger value)
    {
        if (value.Sign < 0)
            throw new ArgumentException("expected non-negative integer");
        if (value.IsZero) return [0u];
        var words = new List<uint>();
        while (!value.IsZero)
        {
            words.Add((uint)(value & uint.MaxValue));
            value >>= 32;
        }
        return words.ToArray();
    }

    /// <summary><c>generate_state(n, uint32)</c>.</summary>
    public uint[] GenerateState32(int n)
    {
        var state = new uint[n];
        uint hashConst = InitB;
        for (int i = 0; i < n; i++)
        {
            uint v = _pool[i % PoolSize] ^ hashConst;
            hashConst *= MultB;
            v *= hashConst;
            v ^= v >> 16;
            state[i] = v;
        }
        return state;
    }

    /// <summary><c>generate_state(n, uint64)</c>: 2n 32-bit words paired little-endian.</summary>
    public ulong[] GenerateState64(int n)
    {
        uint[] w = GenerateState32(2 * n);
        var state = new ulong[n];
        for (int j = 0; j < n; j++) state[j] = w[2 * j] | ((ulong)w[2 * j + 1] << 32);
        return state;
    }

    static uint HashMix(uint value, ref uint hashConst)
    {
        value ^= hashConst;
        hashConst *= MultA;
        value *= hashConst;
        value ^= value >> 16;
        return value;
    }

    static uint Mix(uint x, uint y)
    {
        uint r = MixMultL * x - MixMultR * y;
        return r ^ (r >> 16);
    }
}
