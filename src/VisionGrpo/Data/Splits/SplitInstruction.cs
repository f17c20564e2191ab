using System.Numerics;
using System.Text.RegularExpressions;

namespace VisionGrpo.Data.Splits;

/// <summary>One <c>+</c>-separated piece of a split string, before the split lengths are known (<c>_RelativeInstruction</c>).</summary>
internal sealed partial record SplitInstruction(string Split, BigInteger? From, BigInteger? To, bool Percent, SplitRounding? Rounding)
{
    // The grammar of datasets' _SUB_SPEC_RE; .NET's ^, $, \w and \d behave as Python's here.
    [GeneratedRegex(@"^(?<split>\w+(\.\w+)*)(\[((?<from>-?[\d_]+)(?<from_pct>%)?)?:((?<to>-?[\d_]+)(?<to_pct>%)?)?\])?(\((?<rounding>[^\)]*)\))?$")]
    private static partial Regex PieceRegex();

    /// <summary>Parses one piece and applies the checks of <c>_RelativeInstruction.__post_init__</c>, in its order.</summary>
    public static SplitInstruction Parse(string piece)
    {
        var m = PieceRegex().Match(piece);
        if (!m.Success) throw new ArgumentException($"Unrecognized instruction format: {piece}");
        bool percent = m.Groups["from_pct"].Success || m.Groups["to_pct"].Success;
        BigInteger? from = Bound(m.Groups["from"]);
        BigInteger? to = Bound(m.Groups["to"]);
        var roundingGroup = m.Groups["rounding"];
        SplitRounding? rounding = null;
        if (roundingGroup.Success)
        {
            rounding = roundingGroup.Value switch
            {
                "closest" => SplitRounding.Closest,
                "pct1_dropremainder" => SplitRounding.Pct1DropRemainder,
                _ => throw new ArgumentException("rounding must be either closest or pct1_dropremainder"),
            };
            if (!percent) throw new ArgumentException("It is forbidden to specify rounding if not using percent slicing.");
        }
        if (percent && (from is { } f && BigInteger.Abs(f) > 100 || to is { } t && BigInteger.Abs(t) > 100))
            throw new ArgumentException("Percent slice boundaries must be > -100 and < 100.");
        if (percent) rounding ??= SplitRounding.Closest;
        return new SplitInstruction(m.Groups["split"].Value, from, to, percent, rounding);
    }

    static BigInteger? Bound(Group g) => g.Success && g.Value.Length > 0 ? ParseBound(g.Value) : null;

    static BigInteger ParseBound(string text)
    {
        try { return PythonFormat.ParseInt(text); }
        catch (FormatException e) { throw new ArgumentException(e.Message, e); }
    }

    /// <summary>Absolute <c>[from, to)</c> rows in a split of <paramref name="n"/> rows (<c>_rel_to_abs_instr</c>).</summary>
    public (long From, long To) ToAbsolute(long n)
    {
        BigInteger from, to;
        if (Percent)
        {
            from = From is { } f ? PercentToRows(f, n) : 0;
            to = To is { } t ? PercentToRows(t, n) : n;
        }
        else
        {
            from = From ?? 0;
            to = To ?? n;
        }
        if (from < 0) from = BigInteger.Max(n + from, 0);
        if (to < 0) to = BigInteger.Max(n + to, 0);
        return ((long)BigInteger.Min(from, n), (long)BigInteger.Min(to, n));
    }

    BigInteger PercentToRows(BigInteger boundary, long n)
    {
        if (Rounding == SplitRounding.Pct1DropRemainder)
        {
            if (n < 100)
                throw new ArgumentException(
                    "Using \"pct1_dropremainder\" rounding on a split with less than 100 elements is forbidden: it always results in an empty dataset.");
            return boundary * (long)Math.Truncate(n / 100.0);
        }
        // Python: int(round(b * n / 100.0)): exact integer product, one double division, round half to even.
        return new BigInteger(Math.Round((double)(boundary * n) / 100.0, MidpointRounding.ToEven));
    }
}
