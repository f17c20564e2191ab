namespace VisionGrpo.MathVerify.Extraction;

/// <summary>
/// The character scanner under the small recursive-descent parsers (<see cref="PythonExprParser"/> and the parity
/// harness's <c>SympyStringParser</c> in VisionGrpo.Parity): a cursor over the text, whitespace skipping, token
/// look-ahead and a nesting guard, so each parser holds only its grammar.
/// </summary>
internal abstract class ExprScanner
{
    /// <summary>Deepest nesting a parser accepts before it reports the expression as too deep.</summary>
    const int MaxDepth = 200;

    /// <summary>The text being parsed.</summary>
    protected readonly string Text;
    /// <summary>The cursor: index of the next unread character.</summary>
    protected int Pos;
    int _depth;

    protected ExprScanner(string text) { Text = text; }

    /// <summary>Moves the cursor past whitespace.</summary>
    protected void Skip() { while (Pos < Text.Length && char.IsWhiteSpace(Text[Pos])) Pos++; }

    /// <summary>Skips whitespace and tells whether <paramref name="token"/> comes next (the cursor stays before it).</summary>
    protected bool At(string token) { Skip(); return string.CompareOrdinal(Text, Pos, token, 0, token.Length) == 0; }

    /// <summary>Consumes <paramref name="token"/> or throws <see cref="FormatException"/> naming it and the position.</summary>
    protected void Eat(string token) { if (!At(token)) throw new FormatException($"expected '{token}' at {Pos}"); Pos += token.Length; }

    /// <summary>Enters one nesting level; throws <paramref name="tooDeep"/> as a <see cref="FormatException"/> past the limit.</summary>
    protected void Enter(string tooDeep) { if (++_depth > MaxDepth) throw new FormatException(tooDeep); }

    /// <summary>Leaves the level <see cref="Enter"/> opened.</summary>
    protected void Leave() => _depth--;

    /// <summary>Reads a run of ASCII digits and dots (a number's mantissa) from the cursor.</summary>
    protected string Digits()
    {
        int start = Pos;
        while (Pos < Text.Length && (char.IsAsciiDigit(Text[Pos]) || Text[Pos] == '.')) Pos++;
        return Text[start..Pos];
    }
}
