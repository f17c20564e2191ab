using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

internal sealed partial class LatexParser
{
    Expr Comp(bool allowFunc)
    {
        Enter();
        try
        {
            switch (Kind)
            {
                case T.LParen: return Group(T.RParen);
                case T.LGroup: return Group(T.RGroup);
                case T.LBracket: return Group(T.RBracket);
                case T.LBraceVisual: return Group(T.RBraceVisual);
                case T.LBraceCmd: return Group(T.RBraceCmd);
                case T.LBrack: return Group(T.RBrack);
                case T.LBrace:
                {
                    var binom = Try(() => { Next(); var u = Expression(); Expect(T.Choose); var l = Expression(); Expect(T.RBrace); return Ops.Fn("binomial", u, l); });
                    return binom ?? Group(T.RBrace);
                }
                case T.Phantom or T.Boxed:
                    Next(); Expect(T.LBrace);
                    { var e = Expression(); Expect(T.RBrace); return e; }
                case T.Norm: return Wrapped(T.Norm, "Abs");
                case T.Bar: return Wrapped(T.Bar, "Abs");
                case T.LVert: return Wrapped(T.RVert, "Abs");
                case T.Vert: return Wrapped(T.Vert, "Abs");
                case T.LFloor: return Wrapped(T.RFloor, "floor");
                case T.LLCorner: return Wrapped(T.LRCorner, "floor");
                case T.LCeil: return Wrapped(T.RCeil, "ceiling");
                case T.ULCorner: return Wrapped(T.URCorner, "ceiling");
                case T.Frac: return Frac();
                case T.Binom:
                {
                    Next(); Expect(T.LBrace); var u = Expression(); Expect(T.RBrace);
                    Expect(T.LBrace); var l = Expression(); Expect(T.RBrace);
                    return Ops.Fn("binomial", u, l);
                }
                case T.MatrixStart or T.ArrayStart: return MatrixBody(Kind == T.MatrixStart ? T.MatrixEnd : T.ArrayEnd);
                case T.DetStart: return MatrixOps.Det((Matrix)MatrixBody(T.DetEnd));
            }
            if (allowFunc)
            {
                if (Kind is T.FuncSingle or T.FuncMulti or T.OperatorName or T.Int or T.Sqrt or T.Sum or T.Prod or T.Lim or T.ExpE) return Func();
                if (Kind is T.Letter or T.Greek or T.OtherSymbol or T.Accent)
                {
                    var app = Try(FunctionApplication);
                    if (app != null) return app;
                }
            }
            return Atom();
        }
        finally { Leave(); }
    }

    Expr Group(T close)
    {
        Next();
        var e = Expression();
        Expect(close);
        return e;
    }

    Expr Wrapped(T close, string fn)
    {
        Next();
        bool abs = fn == "Abs";
        if (abs) _absDepth++;
        Expr e;
        try { e = Expression(); }
        finally { if (abs) _absDepth--; }
        Expect(close);
        return Ops.Fn(fn, e);
    }

    /// <summary>A single atom token without its own sub/superscripts (inside a script).</summary>
    Expr ScriptAtom()
    {
        if (Kind is T.Letter or T.Greek or T.OtherSymbol or T.Accent)
        {
            var t = Next();
            if (t.Kind == T.Letter && t.Text == "I") return Const.I;
            return MakeSymbol(t.Kind == T.Accent ? AccentName(t.Text) : t.Text);
        }
        if (Kind == T.Number) return Atomic(ParseNumber(Next().Text));
        return Atom();
    }

    Expr Atom()
    {
        Enter();
        try
        {
            var t = Cur;
            switch (t.Kind)
            {
                case T.Letter or T.Greek or T.OtherSymbol or T.Accent: return AtomExpr();
                case T.Symbol:
                    Next();
                    var s = t.Text.Replace(@"\$", "").Replace(@"\%", "").Replace("%", "");
                    return s == @"\infty" ? Const.Inf : throw new LatexParseException("Unrecognized symbol");
                case T.Number:
                {
                    Next();
                    if (Kind == T.Underscore) SubExprText();
                    return Atomic(ParseNumber(t.Text));
                }
                case T.ENotation: Next(); return Atomic(ParseNumber(t.Text));
                case T.ENotationE: Next(); return new Sym("e");
                case T.Differential: Next(); return new Sym("d" + DifferentialVar(t.Text));
                case T.PercentNumber:
                {
                    Next();
                    var num = ParseNumber(t.Text.Replace(@"\%", "").Replace("%", "").Replace(",", "").Trim());
                    return new Pct(num);
                }
                case T.Variable:
                {
                    Next();
                    bool pct = t.Text.EndsWith('%');
                    var inner = t.Text[10..(t.Text.Length - (pct ? (t.Text.EndsWith(@"\%") ? 3 : 2) : 1))];
                    var sym = new Sym(inner.ToLowerInvariant());
                    return pct ? new Pct(sym) : sym;
                }
            }
            throw Error("expected an atom");
        }
        finally { Leave(); }
    }

    static Expr ParseNumber(string text)
    {
        text = text.Replace(",", "");
        if (text.All(char.IsAsciiDigit)) text = text.TrimStart('0') is { Length: > 0 } t ? t : "0";
        return NumberFromText(text);
    }

    static string DifferentialVar(string text)
    {
        var v = text[1..].TrimStart(' ', '\t', '\r', '\n');
        return v.StartsWith('\\') ? v[1..] : v;
    }

    /// <summary><c>atom_expr</c>: a letter / Greek / symbol / accent, with optional sub- and superscript.</summary>
    /// <param name="bare">True for an integral's unbraced bound: in <c>\int_a^b</c> / <c>\int^b_a</c> the script after
    /// the bound is the other bound, not the bound's own.</param>
    Expr AtomExpr(bool bare = false)
    {
        var t = Next();
        if (t.Kind is not (T.Letter or T.Greek or T.OtherSymbol or T.Accent)) throw Error("expected a symbol");
        if (t.Kind == T.Letter && t.Text == "I") return Const.I;
        string text = t.Kind == T.Accent ? AccentName(t.Text) : t.Text;
        string sub = "";
        Expr? sup = null;
        for (int i = 0; i < 2; i++)
        {
            if (bare) break;
            if (Kind == T.Underscore && sub.Length == 0) sub = SubExprText();
            else if (Kind == T.Caret && sup == null) sup = SupExpr();
        }
        var sym = MakeSymbol(text.Trim() + sub);
        return sup == null ? sym : Ops.Pow(sym, sup);
    }

    static Expr MakeSymbol(string text)
    {
        var name = GreekNames.NameOf(text).ToLowerInvariant();
        return name == "pi" ? Const.Pi : new Sym(name);
    }

    static string AccentName(string token)
    {
        int open = token.IndexOf('{');
        var accent = token[1..open].Trim();
        var inner = token[(open + 1)..^1].Replace(" ", "");
        if (accent is "bar" or "overline") accent = "bar";
        else if (accent is "vec" or "overrightarrow") accent = "vec";
        else if (accent is "tilde" or "widetilde") accent = "tilde";
        else if (accent.Contains("text") || accent.Contains("mbox")) { accent = ""; inner = inner.Replace("(", "").Replace(")", ""); }
        else if (accent.Contains("math")) accent = "math";
        return accent.Length > 0 ? $"{accent}{{{inner}}}" : inner;
    }

    /// <summary>Subscript text as the reference builds symbol names: <c>_x</c> or <c>_{xy}</c>.</summary>
    string SubExprText()
    {
        Expect(T.Underscore);
        int from = _pos;
        if (Accept(T.LBrace))
        {
            int inner = _pos;
            CommaElementsNoRelationAsArgs();
            int end = _pos;
            Expect(T.RBrace);
            var text = TextOf(inner, end).Trim();
            return text.Length > 1 ? "_{" + text + "}" : "_" + text;
        }
        ScriptAtom();
        var t = TextOf(from, _pos).Trim();
        return t.Length > 1 ? "_{" + t + "}" : "_" + t;
    }

    void CommaElementsNoRelationAsArgs()
    {
        Expression();
        while (Accept(T.Comma)) Expression();
    }

    Expr SupExpr()
    {
        Expect(T.Caret);
        if (Accept(T.LBrace)) { var e = Expression(); Expect(T.RBrace); return e; }
        return ScriptAtom();
    }
}
