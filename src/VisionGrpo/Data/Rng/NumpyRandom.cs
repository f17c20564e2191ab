using System.Numerics;

namespace VisionGrpo.Data.Rng;

/// <summary>
/// <c>numpy.random.default_rng(seed)</c>: a <c>Generator</c> over <see cref="Pcg64"/> with the methods that
/// <c>datasets</c> uses (<c>permutation</c>, <c>shuffle</c>) plus <c>integers</c> and <c>random</c>, bit-exact with numpy.
/// </summary>
public sealed class NumpyRandom
{
    /// <summary>Creates the generator <c>default_rng(seed)</c> would create.</summary>
    public NumpyRandom(BigInteger seed) => BitGenerator = new Pcg64(new SeedSequence(seed));

    /// <summary>Creates a generator from fresh OS entropy (numpy's <c>default_rng(None)</c>; not reproducible).</summary>
    public static NumpyRandom FromEntropy()
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return new NumpyRandom(new BigInteger(bytes, isUnsigned: true));
    }

    /// <summary>The underlying bit generator.</summary>
    internal Pcg64 BitGenerator { get; }

    /// <summary><c>Generator.permutation(n)</c>: a shuffled <c>arange(n)</c>.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        Shuffle<int>(a);
        return a;
    }

    /// <summary><c>Generator.shuffle(x)</c> for a 1-d array: Fisher–Yates from the end with numpy's bounded draws.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i >= 1; i--)
        {
            int j = (int)RandomInterval((ulong)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary><c>Generator.random()</c>: a double in [0, 1).</summary>
    public double Random() => BitGenerator.NextDouble();

    /// <summary><c>Generator.integers(low, high)</c> (int64, <c>endpoint=False</c>): one value in [low, high).</summary>
    public long Integers(long low, long high)
    {
        if (high <= low) throw new ArgumentException($"low >= high ({low} >= {high})", nameof(high));
        ulong range = unchecked((ulong)(high - 1) - (ulong)low);
        return unchecked(low + (long)BoundedUInt64(range));
    }

    /// <summary><c>Generator.integers(low, high, size)</c>.</summary>
    public long[] Integers(long low, long high, int size)
    {
        var values = new long[size];
        for (int i = 0; i < size; i++) values[i] = Integers(low, high);
        return values;
    }

    /// <summary>numpy's <c>random_interval(max)</c>: rejection sampling on a bit mask; uniform in [0, max].</summary>
    ulong RandomInterval(ulong max)
    {
        if (max == 0) return 0;
        ulong mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
        mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
        ulong value;
        if (max <= uint.MaxValue)
            while ((value = BitGenerator.NextUInt32() & mask) > max) { }
        else
            while ((value = BitGenerator.NextUInt64() & mask) > max) { }
        return value;
    }

    /// <summary>numpy's <c>random_bounded_uint64</c> (Lemire, unmasked): uniform in [0, range].</summary>
    ulong BoundedUInt64(ulong range)
    {
        if (range == 0) return 0;
        if (range == uint.MaxValue) return BitGenerator.NextUInt32();
        if (range < uint.MaxValue) return LemireUInt32((uint)range);
        if (range == ulong.MaxValue) return BitGenerator.NextUInt64();
        return LemireUInt64(range);
    }

    uint LemireUInt32(uint range) =>
        Lemire(range, BitGenerator.NextUInt32, static (a, b) => { ulong m = (ulong)a * b; return ((uint)(m >> 32), (uint)m); });

    ulong LemireUInt64(ulong range) =>
        Lemire(range, BitGenerator.NextUInt64, static (a, b) => { ulong hi = Math.BigMul(a, b, out ulong lo); return (hi, lo); });

    /// <summary>
    /// Lemire's nearly-divisionless bounded draw in [0, range] (numpy's <c>buffered_bounded_lemire_uint32</c> and
    /// <c>bounded_lemire_uint64</c>): the high word of draw × (range+1), redrawing while the low word is below the threshold.
    /// </summary>
    static T Lemire<T>(T range, Func<T> next, Func<T, T, (T Hi, T Lo)> wideMul)
        where T : IBinaryInteger<T>, IUnsignedNumber<T>, IMinMaxValue<T>
    {
        T excl = range + T.One;
        var (hi, lo) = wideMul(next(), excl);
        if (lo < excl)
        {
            T threshold = (T.MaxValue - range) % excl;
            while (lo < threshold) (hi, lo) = wideMul(next(), excl);
        }
        return hi;
    }
}
