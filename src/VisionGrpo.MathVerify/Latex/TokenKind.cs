namespace VisionGrpo.MathVerify.Latex;

/// <summary>Token kinds of the LaTeX lexer (a port of the reference grammar's lexer rules).</summary>
internal enum T
{
    Eof, Add, Sub, Mul, Div, LParen, RParen, LParenVisual, RParenVisual, LGroup, RGroup, LBrace, RBrace,
    LBraceVisual, RBraceVisual, LBraceCmd, RBraceCmd, LBracket, RBracket, LBrack, RBrack, Phantom, Boxed,
    Bar, LVert, RVert, Vert, Norm, LAngle, RAngle, LFloor, RFloor, LLCorner, LRCorner, LCeil, RCeil, ULCorner, URCorner,
    Lim, LimApproach, Int, Sum, Prod, Sqrt, FuncSingle, FuncMulti, OperatorName, OpName,
    Times, Cdot, CmdDiv, Frac, Binom, Choose, Mod, MatrixStart, MatrixEnd, ArrayStart, ArrayEnd, DetStart, DetEnd,
    ColSep, RowSep, Underscore, Caret, Colon, Semicolon, Comma, Period, Differential, ExpE, ENotationE, Letter,
    Number, ENotation, PercentNumber, In, NotIn, Assign, Equal, Approx, Lt, Lte, Gt, Gte, Unequal, Bang,
    Greek, OtherSymbol, Symbol, Variable, SetNaturals, SetIntegers, SetRationals, SetReals, SetComplex, SetPrimes,
    Accent, Union, Intersection, SetMinus, PlusMinus, SetEmpty, Supset, Subset, Transpose, Degree,
}

/// <summary>A lexed token with its source text.</summary>
internal readonly record struct Token(T Kind, string Text, int Start);
