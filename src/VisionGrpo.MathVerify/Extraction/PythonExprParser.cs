using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Extraction;

/// <summary>
/// The plain-expression parser (sympy <c>parse_expr</c> on <c>1/2</c>, <c>(3+4)*2</c>, <c>2**10</c>): numbers,
/// + − * / ** and parentheses with Python precedence. Anything else (×, ÷, juxtaposition) is a parse error.
/// </summary>
internal sealed class PythonExprParser
{
    readonly string _s;
    int _i;
    int _depth;

    PythonExprParser(string s) { _s = s; }

    public static Expr Parse(string text)
    {
        var p = new PythonExprParser(text);
        var e = p.Sum();
        p.Skip();
        if (p._i != text.Length) throw new FormatException($"unexpected '{text[p._i]}' in expression");
        return e;
    }

    void Skip() { while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++; }
    bool At(string tok) { Skip(); return string.CompareOrdinal(_s, _i, tok, 0, tok.Length) == 0; }

    void Enter() { if (++_depth > 200) throw new FormatException("expression nested too deeply"); ComputeGuard.Check(); }

    Expr Sum()
    {
        Enter();
        var l = Term();
        while (true)
        {
            if (At("+")) { _i++; l = Ops.Add(l, Term()); }
            else if (At("-")) { _i++; l = Ops.Sub(l, Term()); }
            else break;
        }
        _depth--;
        return l;
    }

    Expr Term()
    {
        var l = Factor();
        while (true)
        {
            if (At("**")) break;
            if (At("*")) { _i++; l = Ops.Mul(l, Factor()); }
            else if (At("/")) { _i++; var r = Factor(); l = r is Num z && z.Value.IsZero ? Const.Zoo : Ops.Div(l, r); }
            else break;
        }
        return l;
    }

    Expr Factor()
    {
        Enter();
        Expr r;
        if (At("-")) { _i++; r = Ops.Neg(Factor()); }
        else if (At("+")) { _i++; r = Factor(); }
        else r = Power();
        _depth--;
        return r;
    }

    Expr Power()
    {
        var b = Primary();
        if (At("**")) { _i += 2; return Ops.Pow(b, Factor()); }
        return b;
    }

    Expr Primary()
    {
        Skip();
        if (_i >= _s.Length) throw new FormatException("unexpected end of expression");
        if (_s[_i] == '(')
        {
            _i++;
            var e = Sum();
            if (!At(")")) throw new FormatException("missing )");
            _i++;
            return e;
        }
        int start = _i;
        while (_i < _s.Length && (char.IsAsciiDigit(_s[_i]) || _s[_i] == '.')) _i++;
        if (start == _i) throw new FormatException($"unexpected '{_s[_i]}' in expression");
        var text = _s[start.._i];
        if (text.Count(c => c == '.') > 1 || text == ".") throw new FormatException("bad number");
        return Latex.LatexParser.NumberFromText(text.Contains('.') ? text : text.TrimStart('0') is { Length: > 0 } t ? t : "0");
    }
}
