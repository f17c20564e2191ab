namespace VisionGrpo.Data.Splits;

/// <summary>Rows <c>[From, To)</c> of one named split, as selected by one piece of a split string.</summary>
/// <param name="Split">Split name (<c>train</c>, <c>test</c>, …).</param>
/// <param name="From">First row (inclusive).</param>
/// <param name="To">End row (exclusive).</param>
internal readonly record struct SplitRange(string Split, long From, long To)
{
    /// <summary>Number of rows in the range.</summary>
    public long Count => To - From;
}
