using System.Text.RegularExpressions;

namespace VisionGrpo.Data.Splits;

/// <summary>
/// The split strings of <c>load_dataset(..., split=S)</c> (<c>datasets</c> 5.0.1): <c>train</c>, <c>train[:5%]</c>,
/// <c>train[10:20]</c>, <c>train[-10%:]</c>, <c>train[:5%]+test[:3]</c>, <c>train[:5%](pct1_dropremainder)</c>, <c>all</c>.
/// Resolves a string against split lengths to the row ranges read, in order, with <c>datasets</c>' error messages.
/// </summary>
internal static partial class SplitSpec
{
    [GeneratedRegex(@"^\w+(\.\w+)*$")]
    private static partial Regex SplitNameRegex();

    [GeneratedRegex(@"\s*\+\s*")]
    private static partial Regex AdditionSeparator();

    /// <summary>Resolves <paramref name="spec"/> against the splits and their lengths (in the dataset's split order).</summary>
    /// <returns>The non-empty row ranges in reading order (duplicates allowed).</returns>
    /// <exception cref="ArgumentException">An invalid string, an unknown split, or a selection with no rows.</exception>
    public static IReadOnlyList<SplitRange> Resolve(string spec, IReadOnlyList<KeyValuePair<string, long>> splitLengths)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, length) in splitLengths) lengths[name] = length;

        string s = spec == "all" ? string.Join("+", splitLengths.Select(kv => kv.Key)) : spec;
        CheckSplitNames(s);
        var pieces = Parse(s);

        var ranges = new List<SplitRange>();
        var absolute = new List<(string Split, long From, long To)>();
        foreach (var piece in pieces)
        {
            if (!lengths.TryGetValue(piece.Split, out long n))
                throw new ArgumentException(
                    $"Unknown split \"{piece.Split}\". Should be one of [{string.Join(", ", splitLengths.Select(kv => PyRepr(kv.Key)))}].");
            var (from, to) = piece.ToAbsolute(n);
            absolute.Add((piece.Split, from, to));
        }
        foreach (var (split, from, to) in absolute)
        {
            // Upstream hands a negative take to pyarrow; an explicit error is clearer than whatever that does.
            if (from > to)
                throw new ArgumentException($"Instruction \"{s}\" selects rows [{from}:{to}) of split \"{split}\": the start is after the end.");
            if (to > from) ranges.Add(new SplitRange(split, from, to));
        }
        if (ranges.Count == 0) throw new ArgumentException($"Instruction \"{s}\" corresponds to no data!");
        return ranges;
    }

    /// <summary>Total rows selected by <paramref name="spec"/>.</summary>
    public static long CountRows(string spec, IReadOnlyList<KeyValuePair<string, long>> splitLengths) =>
        Resolve(spec, splitLengths).Sum(r => r.Count);

    /// <summary>Checks the grammar only (no split lengths needed); throws the error <see cref="Resolve"/> would for a malformed string.</summary>
    public static void Validate(string spec)
    {
        if (spec == "all") return;
        CheckSplitNames(spec);
        Parse(spec);
    }

    // NamedSplit: split on '+' without stripping; the text before '[' must be a split name.
    static void CheckSplitNames(string s)
    {
        foreach (string piece in s.Split('+'))
        {
            string name = piece.Split('[')[0];
            if (!SplitNameRegex().IsMatch(name))
                throw new ArgumentException($"Split name should match '^\\w+(\\.\\w+)*$' but got '{name}'.");
        }
    }

    // ReadInstruction.from_spec: pieces are parsed and summed left to right, so a rounding clash is reported
    // as soon as the offending piece is reached, before later pieces are parsed.
    static List<SplitInstruction> Parse(string s)
    {
        string[] subs = AdditionSeparator().Split(s);
        var pieces = new List<SplitInstruction> { SplitInstruction.Parse(subs[0]) };
        foreach (string sub in subs.Skip(1))
        {
            var next = SplitInstruction.Parse(sub);
            if (pieces[0].Percent && next.Percent && pieces[0].Rounding != next.Rounding)
                throw new ArgumentException("It is forbidden to sum ReadInstruction instances with different rounding values.");
            pieces.Add(next);
        }
        return pieces;
    }

    static string PyRepr(string s) =>
        s.Contains('\'') && !s.Contains('"') ? $"\"{s.Replace("\\", "\\\\")}\"" : $"'{s.Replace("\\", "\\\\").Replace("'", "\\'")}'";
}
