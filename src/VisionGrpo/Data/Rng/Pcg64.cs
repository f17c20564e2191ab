namespace VisionGrpo.Data.Rng;

/// <summary>
/// numpy's <c>PCG64</c> bit generator (XSL-RR 128/64), including its one-word buffer for 32-bit draws,
/// so that every <c>next_uint32/next_uint64/next_double</c> call sequence matches numpy exactly.
/// </summary>
internal sealed class Pcg64
{
    static readonly UInt128 Multiplier = new(2549297995355413924UL, 4865540595714422341UL);

    UInt128 _state;
    UInt128 _inc;
    bool _hasUint32;
    uint _uinteger;

    /// <summary>Seeds from a <see cref="SeedSequence"/> as numpy's <c>PCG64(seed_seq)</c> does.</summary>
    public Pcg64(SeedSequence seed)
    {
        ulong[] s = seed.GenerateState64(4);
        SetSeed(new UInt128(s[0], s[1]), new UInt128(s[2], s[3]));
    }

    /// <summary>The 128-bit LCG state.</summary>
    public UInt128 State => _state;

    /// <summary>The 128-bit LCG increment (always odd).</summary>
    public UInt128 Increment => _inc;

    /// <summary>Whether a buffered upper half is waiting to be returned by <see cref="NextUInt32"/>.</summary>
    public bool HasUInt32 => _hasUint32;

    /// <summary>The buffered upper half (stale when <see cref="HasUInt32"/> is false, as in numpy).</summary>
    public uint BufferedUInt32 => _uinteger;

    void SetSeed(UInt128 initState, UInt128 initSeq)
    {
        _state = 0;
        _inc = (initSeq << 1) | 1;
        Step();
        _state += initState;
        Step();
        _hasUint32 = false;
        _uinteger = 0;
    }

    void Step() => _state = unchecked(_state * Multiplier + _inc);

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        Step();
        ulong hi = (ulong)(_state >> 64);
        ulong lo = (ulong)_state;
        return ulong.RotateRight(hi ^ lo, (int)(hi >> 58));
    }

    /// <summary>Next 32 random bits: halves of one 64-bit draw, low half first.</summary>
    public uint NextUInt32()
    {
        if (_hasUint32)
        {
            _hasUint32 = false;
            return _uinteger;
        }
        ulong v = NextUInt64();
        _hasUint32 = true;
        _uinteger = (uint)(v >> 32);
        return (uint)v;
    }

    /// <summary>A double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
}
