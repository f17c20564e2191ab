using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Extraction;

/// <summary>
/// The plain-expression parser (sympy <c>parse_expr</c> on <c>1/2</c>, <c>(3+4)*2</c>, <c>2**10</c>): numbers,
/// + − * / ** and parentheses with Python precedence. Anything else (×, ÷, juxtaposition) is a parse error.
/// </summary>
internal sealed class PythonExprParser : ExprScanner
{
    PythonExprParser(string text) : base(text) { }

    public static Expr Parse(string text)
    {
        var p = new PythonExprParser(text);
        var e = p.Sum();
        p.Skip();
        if (p.Pos != text.Length) throw new FormatException($"unexpected '{text[p.Pos]}' in expression");
        return e;
    }

    void Enter() { Enter("expression nested too deeply"); ComputeGuard.Check(); }

    Expr Sum()
    {
        Enter();
        var l = Term();
        while (true)
        {
            if (At("+")) { Pos++; l = Ops.Add(l, Term()); }
            else if (At("-")) { Pos++; l = Ops.Sub(l, Term()); }
            else break;
        }
        Leave();
        return l;
    }

    Expr Term()
    {
        var l = Factor();
        while (true)
        {
            if (At("**")) break;
            if (At("*")) { Pos++; l = Ops.Mul(l, Factor()); }
            else if (At("/")) { Pos++; var r = Factor(); l = r is Num z && z.Value.IsZero ? Const.Zoo : Ops.Div(l, r); }
            else break;
        }
        return l;
    }

    Expr Factor()
    {
        Enter();
        Expr r;
        if (At("-")) { Pos++; r = Ops.Neg(Factor()); }
        else if (At("+")) { Pos++; r = Factor(); }
        else r = Power();
        Leave();
        return r;
    }

    Expr Power()
    {
        var b = Primary();
        if (At("**")) { Pos += 2; return Ops.Pow(b, Factor()); }
        return b;
    }

    Expr Primary()
    {
        Skip();
        if (Pos >= Text.Length) throw new FormatException("unexpected end of expression");
        if (Text[Pos] == '(')
        {
            Pos++;
            var e = Sum();
            if (!At(")")) throw new FormatException("missing )");
            Pos++;
            return e;
        }
        var text = Digits();
        if (text.Length == 0) throw new FormatException($"unexpected '{Text[Pos]}' in expression");
        if (text.Count(c => c == '.') > 1 || text == ".") throw new FormatException("bad number");
        return Latex.LatexParser.NumberFromText(text.Contains('.') ? text : text.TrimStart('0') is { Length: > 0 } t ? t : "0");
    }
}
