namespace VisionGrpo.Data.Splits;

/// <summary>How percent bounds of a split string become row numbers (the <c>(rounding)</c> suffix).</summary>
internal enum SplitRounding
{
    /// <summary><c>closest</c> (default): <c>round(b·n/100)</c>, half to even.</summary>
    Closest,

    /// <summary><c>pct1_dropremainder</c>: <c>b · trunc(n/100)</c>; forbidden on splits under 100 rows.</summary>
    Pct1DropRemainder,
}
