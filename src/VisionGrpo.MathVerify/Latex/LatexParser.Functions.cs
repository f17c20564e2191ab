using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

internal sealed partial class LatexParser
{
    static readonly HashSet<string> MultiArgOperatorNames = ["gcd", "lcm", "zeros", "orth", "ortho", "orthogonal", "orthogonalize", "ones", "diag", "hstack", "vstack"];

    Expr Func()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case T.FuncSingle: Next(); return SingleArgFunction(t.Text[1..]);
            case T.FuncMulti: Next(); return MultiArgFunction(t.Text[1..]);
            case T.OperatorName:
            {
                Next(); Expect(T.LBrace);
                var name = Expect(T.OpName).Text;
                Expect(T.RBrace);
                return MultiArgOperatorNames.Contains(name) ? MultiArgFunction(name) : SingleArgFunction(name, operatorName: true);
            }
            case T.Sqrt:
            {
                Next();
                Expr? root = null;
                if (Accept(T.LBracket)) { root = Expression(); Expect(T.RBracket); }
                Expect(T.LBrace); var b = Expression(); Expect(T.RBrace);
                return Ops.Pow(b, root == null ? Num.Half : Ops.Pow(root, Num.MinusOne));
            }
            case T.Int: Next(); return Integral();
            case T.Sum or T.Prod: Next(); return SumOrProduct(t.Kind == T.Sum ? "Sum" : "Product");
            case T.Lim: Next(); return Limit();
            case T.ExpE:
                Next();
                if (Kind == T.Caret) return Ops.Pow(Const.E, SupExpr());
                return Const.E;
        }
        throw Error("expected a function");
    }

    (Expr? sub, Expr? sup) FuncScripts()
    {
        Expr? sub = null, sup = null;
        for (int i = 0; i < 2; i++)
        {
            if (Kind == T.Underscore && sub == null)
            {
                Next();
                if (Accept(T.LBrace)) { sub = Expression(); Expect(T.RBrace); } else sub = Atom();
            }
            else if (Kind == T.Caret && sup == null) sup = SupExpr();
        }
        return (sub, sup);
    }

    Expr SingleArgFunction(string name, bool operatorName = false)
    {
        var (sub, pow) = FuncScripts();
        Expr arg;
        var paren = Kind == T.LParen ? Try(() => { Next(); var e = Expression(); Expect(T.RParen); return e; }) : null;
        arg = paren ?? Mp(nofunc: true);
        Expr expr;
        bool inverse = pow is Num p && p.Value == BigRational.MinusOne;
        switch (name)
        {
            case "arcsin" or "arccos" or "arctan" or "arccsc" or "arcsec" or "arccot": expr = Ops.Fn("a" + name[3..], arg); break;
            case "arsinh" or "arcosh" or "artanh": expr = Ops.Fn("a" + name[2..], arg); break;
            case "arcsinh" or "arccosh" or "arctanh": expr = Ops.Fn("a" + name[3..], arg); break;
            case "log" or "ln":
                expr = Ops.Fn("log", arg, sub ?? (name == "log" ? Num.Of(10) : Const.E)); break;
            case "exp": expr = Ops.Fn("exp", arg); break;
            case "floor": expr = Ops.Fn("floor", arg); break;
            case "ceil": expr = Ops.Fn("ceiling", arg); break;
            case "det": expr = arg is Matrix m ? MatrixOps.Det(m) : throw new LatexParseException("determinant of a non-matrix"); break;
            case "sin" or "cos" or "tan" or "csc" or "sec" or "cot" or "sinh" or "cosh" or "tanh":
                if (inverse) { name = "a" + name; pow = null; }
                expr = Ops.Fn(name, arg); break;
            case "trace" or "tr" when arg is Matrix tm:
                expr = Ops.Add(Enumerable.Range(0, Math.Min(tm.RowCount, tm.ColCount)).Select(i => tm.Rows[i][i]).ToArray()); break;
            case "norm" or "rank" or "rref" or "nullspace" or "eig" or "eigen" or "diagonalize" or "eigenvals" or "eigenvalues"
                or "eigenvects" or "eigenvectors" or "svd" or "SVD" or "cols" or "rows" or "eye" or "trace" or "tr":
                throw new LatexParseException($"matrix operator {name} is not supported");
            default: expr = new Fn(name, [arg], undefined: operatorName); break;
        }
        return pow != null ? Ops.Pow(expr, pow) : expr;
    }

    Expr MultiArgFunction(string name)
    {
        var (_, pow) = FuncScripts();
        List<Expr> args;
        var paren = Kind == T.LParen ? Try(() =>
        {
            Next();
            var list = new List<Expr> { Expression() };
            while (Accept(T.Comma)) list.Add(Expression());
            Expect(T.RParen);
            return list;
        }) : null;
        args = paren ?? [Mp(nofunc: true)];
        Expr expr = name switch
        {
            "gcd" or "lcm" => GcdLcm.Compute(name, args),
            "max" => Ops.Fn("Max", [.. args]),
            "min" => Ops.Fn("Min", [.. args]),
            _ => throw new LatexParseException($"matrix operator {name} is not supported"),
        };
        return pow != null ? Ops.Pow(expr, pow) : expr;
    }

    /// <summary><c>f(x)</c>, <c>f(x, y)</c>, <c>f[x]</c>: undefined-function application (single argument must be an atom).</summary>
    Expr FunctionApplication()
    {
        var t = Next();
        if (t.Kind == T.Letter && t.Text == "I") throw Error("not a function");
        string text = t.Kind == T.Accent ? AccentName(t.Text) : t.Text;
        string sub = Kind == T.Underscore ? SubExprText() : "";
        Expr? pow = Kind == T.Caret ? SupExpr() : null;
        T close;
        bool braced = false;
        if (Kind == T.LBrace && Peek(1) is T.LParen or T.LBracket) { Next(); braced = true; }
        if (Accept(T.LParen)) close = T.RParen;
        else if (Accept(T.LBracket)) close = T.RBracket;
        else throw Error("not a function application");
        var args = new List<Expr>();
        int start = _pos;
        var first = Try(() => { var a = Atom(); return Kind == close ? a : throw Error("not an atom argument"); });
        if (first != null) args.Add(first);
        else
        {
            _pos = start;
            args.Add(Expression());
            Expect(T.Comma);
            if (Kind != close)
            {
                args.Add(Expression());
                while (Accept(T.Comma)) args.Add(Expression());
            }
        }
        Expect(close);
        if (braced) Expect(T.RBrace);
        var name = (GreekNames.NameOf(text.Trim()) + sub);
        Expr f = new Fn(name, args.ToArray(), undefined: true);
        return pow != null ? Ops.Pow(f, pow) : f;
    }

    Expr Frac()
    {
        Next();
        Expect(T.LBrace);
        int upperStart = _pos;
        var upper = Expression();
        int upperEnd = _pos;
        Expect(T.RBrace);
        Expect(T.LBrace);
        int lowerStart = _pos;
        var lower = Expression();
        int lowerEnd = _pos;
        Expect(T.RBrace);
        if (lowerEnd - lowerStart == 1 && _toks[lowerStart].Kind == T.Differential)
        {
            var wrt = new Sym(DifferentialVar(_toks[lowerStart].Text));
            if (upperEnd - upperStart == 1 && _toks[upperStart].Kind == T.Letter && _toks[upperStart].Text == "d") return new DiffMarker(wrt);
            var upperText = _source[_toks[upperStart].Start.._toks[upperEnd - 1].Start] + _toks[upperEnd - 1].Text;
            if (upperText.StartsWith('d')) return new Fn("Derivative", [Parse(upperText[1..]), wrt]);
        }
        if (IsAtomicInteger(upper) && IsAtomicInteger(lower)) return DivideIntegers(upper, lower);
        return Ops.Div(upper, lower);
    }

    Expr BoundAtom() => Kind is T.Letter or T.Greek or T.OtherSymbol or T.Accent ? AtomExpr(bare: true) : Atom();

    Expr Integral()
    {
        Expr? lower = null, upper = null;
        for (int i = 0; i < 2; i++)
        {
            if (Kind == T.Underscore)
            {
                Next();
                if (Kind == T.LBrace && Peek(1) == T.RBrace) { Next(); Next(); continue; }
                if (Accept(T.LBrace)) { lower = Expression(); Expect(T.RBrace); }
                else lower = BoundAtom();
            }
            else if (Kind == T.Caret)
            {
                Next();
                if (Kind == T.LBrace && Peek(1) == T.RBrace) { Next(); Next(); continue; }
                if (Accept(T.LBrace)) { upper = Expression(); Expect(T.RBrace); } else upper = BoundAtom();
            }
        }
        var integrand = Additive();
        Expr? variable = null;
        var dsym = Free.Symbols(integrand).FirstOrDefault(s => s.Name.Length > 1 && s.Name[0] == 'd');
        if (dsym != null)
        {
            variable = new Sym(dsym.Name[1] == '\\' ? dsym.Name[2..] : dsym.Name[1..]);
            integrand = Substitution.Apply(integrand, new Dictionary<string, Expr> { [dsym.Name] = Num.One });
        }
        variable ??= new Sym("x");
        if (lower != null && upper != null) return new Fn("Integral", [integrand, variable, lower, upper]);
        return new Fn("Integral", [integrand, variable]);
    }

    Expr SumOrProduct(string name)
    {
        Expr? v = null, lo = null, hi = null;
        for (int i = 0; i < 2; i++)
        {
            if (Kind == T.Underscore)
            {
                Next(); Expect(T.LBrace);
                v = Expression();
                if (Kind is not (T.Equal or T.Assign)) throw Error("expected =");
                Next();
                lo = Expression();
                Expect(T.RBrace);
            }
            else if (Kind == T.Caret) hi = SupExpr();
        }
        if (v == null || hi == null) throw Error("sum needs bounds");
        var body = Mp(nofunc: false);
        return new Fn(name, [body, v, lo!, hi]);
    }

    Expr Limit()
    {
        Expect(T.Underscore); Expect(T.LBrace);
        var vt = Next();
        Expr v = vt.Kind switch
        {
            T.Letter => new Sym(vt.Text),
            T.Greek or T.OtherSymbol => MakeSymbol(vt.Text),
            _ => throw Error("expected limit variable"),
        };
        Expect(T.LimApproach);
        _inLimit = true;
        Expr to;
        try { to = Expression(); } finally { _inLimit = false; }
        if (Kind == T.Caret) { Next(); Expect(T.LBrace); if (Kind is T.Add or T.Sub) Next(); else throw Error("expected direction"); Expect(T.RBrace); }
        Expect(T.RBrace);
        var body = Mp(nofunc: false);
        return new Fn("Limit", [body, v, to]);
    }

    Expr MatrixBody(T end)
    {
        Next();
        var rows = new List<Expr[]>();
        while (true)
        {
            var row = new List<Expr> { Expression() };
            while (Accept(T.ColSep)) row.Add(Expression());
            rows.Add(row.ToArray());
            if (Accept(T.RowSep))
            {
                if (Kind == end) break;
                continue;
            }
            break;
        }
        Expect(end);
        if (rows.Any(r => r.Length != rows[0].Length)) throw new LatexParseException("matrix rows have different lengths");
        return new Matrix(rows.ToArray());
    }
}
