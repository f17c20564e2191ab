namespace VisionGrpo.Text.Jinja;

/// <summary>Kinds of lexer tokens.</summary>
internal enum TokenKind
{
    Text, VariableBegin, VariableEnd, BlockBegin, BlockEnd,
    Name, String, Integer, Float, Operator, End,
}

/// <summary>One lexer token with its 1-based source location.</summary>
internal readonly record struct JinjaToken(TokenKind Kind, string Value, int Line, int Column)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;
    public bool IsOperator(string op) => Kind == TokenKind.Operator && Value == op;
    public bool IsName(string name) => Kind == TokenKind.Name && Value == name;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.Text => "template text",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
