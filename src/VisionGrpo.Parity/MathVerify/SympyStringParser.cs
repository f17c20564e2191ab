using VisionGrpo.MathVerify.Algebra;
using VisionGrpo.MathVerify.Extraction;
using VisionGrpo.MathVerify.Latex;

namespace VisionGrpo.Parity.MathVerify;

/// <summary>
/// Reads sympy <c>str()</c> or <c>srepr()</c> output (the expected values of the reference's converter tests) into
/// our values: arithmetic, calls (<c>sin</c>, <c>Abs</c>, <c>Eq</c>, <c>Interval.open</c>, <c>Matrix</c>…), sets,
/// tuples; srepr's quoted names (<c>Symbol('x_{y\alpha 20}')</c>) keep symbols whose names contain LaTeX intact.
/// </summary>
internal sealed class SympyStringParser : ExprScanner
{
    SympyStringParser(string text) : base(text) { }

    public static Expr Parse(string text)
    {
        var p = new SympyStringParser(text);
        var e = p.Expression();
        p.Skip();
        if (p.Pos != text.Length) throw new FormatException($"unexpected '{text[p.Pos..]}' in sympy string");
        return e;
    }

    Expr Expression()
    {
        Enter("too deep");
        var l = Sum();
        foreach (var (op, rop) in new[] { ("<=", RelOp.Le), (">=", RelOp.Ge), ("<", RelOp.Lt), (">", RelOp.Gt) })
            if (At(op)) { Pos += op.Length; l = new Rel(rop, l, Sum()); break; }
        Leave();
        return l;
    }

    Expr Sum()
    {
        var l = Term();
        while (true)
        {
            if (At("+")) { Pos++; l = Ops.Add(l, Term()); }
            else if (At("-")) { Pos++; l = Ops.Sub(l, Term()); }
            else return l;
        }
    }

    Expr Term()
    {
        var l = Unary();
        while (true)
        {
            if (At("**")) return l;
            if (At("*")) { Pos++; l = Ops.Mul(l, Unary()); }
            else if (At("/")) { Pos++; l = Ops.Div(l, Unary()); }
            else return l;
        }
    }

    Expr Unary()
    {
        if (At("-")) { Pos++; return Ops.Neg(Unary()); }
        var b = Primary();
        if (At("**")) { Pos += 2; return Ops.Pow(b, Unary()); }
        return b;
    }

    List<Expr> Args(string close)
    {
        var list = new List<Expr>();
        if (At(close)) { Pos += close.Length; return list; }
        while (true)
        {
            if (KeywordAhead()) { Name(); Eat("="); Expression(); } // dir='+', precision=53: not part of the value
            else list.Add(Expression());
            if (At(",")) { Pos++; if (At(close)) { Pos += close.Length; return list; } continue; }
            Eat(close);
            return list;
        }
    }

    bool KeywordAhead()
    {
        Skip();
        int j = Pos;
        while (j < Text.Length && (char.IsAsciiLetterOrDigit(Text[j]) || Text[j] == '_')) j++;
        return j > Pos && j < Text.Length && Text[j] == '=' && (j + 1 >= Text.Length || Text[j + 1] != '=');
    }

    /// <summary>A quoted srepr string (a symbol's name, a Float's digits), read as a symbol of that name.</summary>
    Expr Quoted()
    {
        char q = Text[Pos++];
        var sb = new System.Text.StringBuilder();
        while (Pos < Text.Length && Text[Pos] != q)
        {
            if (Text[Pos] == '\\' && Pos + 1 < Text.Length) Pos++;
            sb.Append(Text[Pos++]);
        }
        Eat(q.ToString());
        return new Sym(sb.ToString());
    }

    Expr Primary()
    {
        Skip();
        if (Pos >= Text.Length) throw new FormatException("unexpected end");
        char c = Text[Pos];
        if (c is '\'' or '"') return Quoted();
        if (c == '(')
        {
            Pos++;
            var items = Args(")");
            return items.Count == 1 && !Text[..Pos].TrimEnd().EndsWith(",)") ? items[0] : new Tup(items.ToArray());
        }
        if (c == '{') { Pos++; return new FSet(Args("}")); }
        if (c == '~') { Pos++; return new NotRel(Primary()); }
        if (c == '[') { Pos++; return new Tup(Args("]").ToArray()); }
        if (char.IsAsciiDigit(c) || c == '.')
        {
            int st = Pos;
            Digits();
            if (Pos < Text.Length && Text[Pos] == 'e' && Pos + 1 < Text.Length && Text[Pos + 1] is '+' or '-') { Pos += 2; while (Pos < Text.Length && char.IsAsciiDigit(Text[Pos])) Pos++; }
            return LatexParser.NumberFromText(Text[st..Pos]);
        }
        var name = Name();
        if (At("(")) { Pos++; return Call(name, Args(")")); }
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
        int st = Pos;
        while (Pos < Text.Length)
        {
            char c = Text[Pos];
            if (char.IsLetterOrDigit(c) || c is '_' or '\\' or '.') { Pos++; continue; }
            if (c == '{' && Pos > st)
            {
                int depth = 0;
                do { if (Text[Pos] == '{') depth++; else if (Text[Pos] == '}') depth--; Pos++; } while (Pos < Text.Length && depth > 0);
                continue;
            }
            break;
        }
        if (Pos == st) throw new FormatException($"unexpected '{Text[Pos]}' at {Pos}");
        return Text[st..Pos];
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
