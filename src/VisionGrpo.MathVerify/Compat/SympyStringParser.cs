using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Compat;

/// <summary>
/// Reads sympy <c>str()</c> or <c>srepr()</c> output (the expected values of the reference's converter tests) into
/// our values: arithmetic, calls (<c>sin</c>, <c>Abs</c>, <c>Eq</c>, <c>Interval.open</c>, <c>Matrix</c>…), sets,
/// tuples; srepr's quoted names (<c>Symbol('x_{y\alpha 20}')</c>) keep symbols whose names contain LaTeX intact.
/// </summary>
internal sealed class SympyStringParser
{
    readonly string _s;
    int _i;
    int _depth;

    SympyStringParser(string s) { _s = s; }

    public static Expr Parse(string text)
    {
        var p = new SympyStringParser(text);
        var e = p.Expression();
        p.Skip();
        if (p._i != text.Length) throw new FormatException($"unexpected '{text[p._i..]}' in sympy string");
        return e;
    }

    void Skip() { while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++; }
    bool At(string t) { Skip(); return string.CompareOrdinal(_s, _i, t, 0, t.Length) == 0; }
    void Eat(string t) { if (!At(t)) throw new FormatException($"expected '{t}' at {_i}"); _i += t.Length; }

    Expr Expression()
    {
        if (++_depth > 200) throw new FormatException("too deep");
        var l = Sum();
        foreach (var (op, rop) in new[] { ("<=", RelOp.Le), (">=", RelOp.Ge), ("<", RelOp.Lt), (">", RelOp.Gt) })
            if (At(op)) { _i += op.Length; l = new Rel(rop, l, Sum()); break; }
        _depth--;
        return l;
    }

    Expr Sum()
    {
        var l = Term();
        while (true)
        {
            if (At("+")) { _i++; l = Ops.Add(l, Term()); }
            else if (At("-")) { _i++; l = Ops.Sub(l, Term()); }
            else return l;
        }
    }

    Expr Term()
    {
        var l = Unary();
        while (true)
        {
            if (At("**")) return l;
            if (At("*")) { _i++; l = Ops.Mul(l, Unary()); }
            else if (At("/")) { _i++; l = Ops.Div(l, Unary()); }
            else return l;
        }
    }

    Expr Unary()
    {
        if (At("-")) { _i++; return Ops.Neg(Unary()); }
        var b = Primary();
        if (At("**")) { _i += 2; return Ops.Pow(b, Unary()); }
        return b;
    }

    List<Expr> Args(string close)
    {
        var list = new List<Expr>();
        if (At(close)) { _i += close.Length; return list; }
        while (true)
        {
            if (KeywordAhead()) { Name(); Eat("="); Expression(); } // dir='+', precision=53: not part of the value
            else list.Add(Expression());
            if (At(",")) { _i++; if (At(close)) { _i += close.Length; return list; } continue; }
            Eat(close);
            return list;
        }
    }

    bool KeywordAhead()
    {
        Skip();
        int j = _i;
        while (j < _s.Length && (char.IsAsciiLetterOrDigit(_s[j]) || _s[j] == '_')) j++;
        return j > _i && j < _s.Length && _s[j] == '=' && (j + 1 >= _s.Length || _s[j + 1] != '=');
    }

    /// <summary>A quoted srepr string (a symbol's name, a Float's digits), read as a symbol of that name.</summary>
    Expr Quoted()
    {
        char q = _s[_i++];
        var sb = new System.Text.StringBuilder();
        while (_i < _s.Length && _s[_i] != q)
        {
            if (_s[_i] == '\\' && _i + 1 < _s.Length) _i++;
            sb.Append(_s[_i++]);
        }
        Eat(q.ToString());
        return new Sym(sb.ToString());
    }

    Expr Primary()
    {
        Skip();
        if (_i >= _s.Length) throw new FormatException("unexpected end");
        char c = _s[_i];
        if (c is '\'' or '"') return Quoted();
        if (c == '(')
        {
            _i++;
            var items = Args(")");
            return items.Count == 1 && !_s[.._i].TrimEnd().EndsWith(",)") ? items[0] : new Tup(items.ToArray());
        }
        if (c == '{') { _i++; return new FSet(Args("}")); }
        if (c == '~') { _i++; return new NotRel(Primary()); }
        if (c == '[') { _i++; return new Tup(Args("]").ToArray()); }
        if (char.IsAsciiDigit(c) || c == '.')
        {
            int st = _i;
            while (_i < _s.Length && (char.IsAsciiDigit(_s[_i]) || _s[_i] == '.')) _i++;
            if (_i < _s.Length && _s[_i] == 'e' && _i + 1 < _s.Length && _s[_i + 1] is '+' or '-') { _i += 2; while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++; }
            return Latex.LatexParser.NumberFromText(_s[st.._i]);
        }
        var name = Name();
        if (At("(")) { _i++; return Call(name, Args(")")); }
        return name switch
        {
            "pi" => Const.Pi, "E" => Const.E, "I" => Const.I, "oo" => Const.Inf, "zoo" => Const.Zoo, "nan" => Const.NaN,
            "EmptySet" => NamedSet.Empty, "Reals" or "Naturals" or "Integers" or "Rationals" or "Complexes" => new NamedSet(name),
            "True" or "true" => new BoolVal(true), "False" or "false" => new BoolVal(false),
            _ => new Sym(name),
        };
    }

    string Name()
    {
        int st = _i;
        while (_i < _s.Length)
        {
            char c = _s[_i];
            if (char.IsLetterOrDigit(c) || c is '_' or '\\' or '.') { _i++; continue; }
            if (c == '{' && _i > st)
            {
                int depth = 0;
                do { if (_s[_i] == '{') depth++; else if (_s[_i] == '}') depth--; _i++; } while (_i < _s.Length && depth > 0);
                continue;
            }
            break;
        }
        if (_i == st) throw new FormatException($"unexpected '{_s[_i]}' at {_i}");
        return _s[st.._i];
    }

    static Expr Call(string name, List<Expr> a) => name switch
    {
        "Eq" or "Equality" => new Rel(RelOp.Eq, a[0], a[1]),
        "Unequality" => new Rel(RelOp.Ne, a[0], a[1]),
        "StrictLessThan" => new Rel(RelOp.Lt, a[0], a[1]),
        "LessThan" => new Rel(RelOp.Le, a[0], a[1]),
        "StrictGreaterThan" => new Rel(RelOp.Gt, a[0], a[1]),
        "GreaterThan" => new Rel(RelOp.Ge, a[0], a[1]),
        "Add" => Ops.Add([.. a]),
        "Mul" => Ops.Mul([.. a]),
        "Pow" => Ops.Pow(a[0], a[1]),
        "UnevaluatedExpr" => a[0],
        "Interval" when a.Count == 4 => new Interval(a[0], a[1], a[2] is BoolVal { Value: true }, a[3] is BoolVal { Value: true }),
        "ImmutableDenseMatrix" or "MutableDenseMatrix" => Call("Matrix", a),
        "Rational" => Ops.Div(a[0], a[1]),
        "Integer" => a[0],
        "Float" => a[0] switch
        {
            Num fn => new Flt(fn.Value.ToDouble()),
            Sym digits => new Flt(double.Parse(digits.Name, System.Globalization.CultureInfo.InvariantCulture)),
            _ => a[0],
        },
        "Symbol" => a[0],
        "Ne" => new Rel(RelOp.Ne, a[0], a[1]),
        "Interval" => new Interval(a[0], a[1], false, false),
        "Interval.open" => new Interval(a[0], a[1], true, true),
        "Interval.Lopen" => new Interval(a[0], a[1], true, false),
        "Interval.Ropen" => new Interval(a[0], a[1], false, true),
        "Union" => new SetOp(SetOpKind.Union, [.. a]),
        "Intersection" => new SetOp(SetOpKind.Intersection, [.. a]),
        "Complement" => new SetOp(SetOpKind.Complement, [.. a]),
        "FiniteSet" => new FSet(a),
        "Tuple" => new Tup([.. a]),
        "Matrix" => new Matrix(a[0] is Tup rows ? rows.Items.Select(r => r is Tup t ? t.Items : [r]).ToArray() : [[a[0]]]),
        "sqrt" => Ops.Sqrt(a[0]),
        "exp" => Ops.Pow(Const.E, a[0]),
        "log" => Ops.Fn("log", a[0], a.Count > 1 ? a[1] : Const.E),
        "Integral" or "Sum" or "Product" => new Fn(name, a[1] is Tup t2 ? [a[0], .. t2.Items] : [.. a]),
        "Limit" => new Fn("Limit", [a[0], a[1], a[2]]),
        "Derivative" => new Fn("Derivative", [a[0], a[1]]),
        "factorial" => new Fn("factorial", [.. a]),
        "Abs" or "floor" or "ceiling" or "Mod" or "Max" or "Min" or "binomial" or "sin" or "cos" or "tan" or "csc" or "sec" or "cot"
            or "asin" or "acos" or "atan" or "acsc" or "asec" or "acot" or "sinh" or "cosh" or "tanh" or "asinh" or "acosh" or "atanh"
            => Ops.Fn(name, [.. a]),
        "And" => new AndRel(a.OfType<Rel>().ToArray()),
        _ => new Fn(name, [.. a], undefined: true),
    };
}
