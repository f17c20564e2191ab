using System.Text.RegularExpressions;
using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

internal sealed partial class LatexParser
{
    static readonly Regex CommaNumberRe = new(@"^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$", RegexOptions.CultureInvariant);

    Expr ParseMath()
    {
        var r = Try(() => { var e = SetElementsRelation(); Expect(T.Eof); return e; });
        if (r != null) return Finish(r);
        r = Try(() => { var e = ConvertElements(SemicolonElements(relation: true)); Expect(T.Eof); return e; });
        if (r != null)
        {
            if (CommaNumberRe.IsMatch(_source)) return ConvertCommaNumber(_source);
            return Finish(r);
        }
        var s = SetRelation();
        Expect(T.Eof);
        return Finish(s);
    }

    Expr Finish(Expr e) => e switch
    {
        DiffMarker => throw new LatexParseException("derivative operator without operand"),
        Num n when !_atomic.Contains(e) => new Num(n.Value) { Computed = true },
        _ => e,
    };

    static Expr ConvertCommaNumber(string s)
    {
        s = s.Trim();
        if (s.Contains(',') && s.StartsWith('0')) s = s.Replace(',', '.');
        var digits = s.Replace(",", "").Replace(" ", "").TrimStart('0');
        if (digits.Length == 0) digits = "0";
        return NumberFromText(digits);
    }

    /// <summary>sympy <c>Number(text)</c>: integers exact, decimals as Float.</summary>
    internal static Expr NumberFromText(string text)
    {
        if (text.Contains('.') || text.Contains('E') || text.Contains('e'))
            return new Flt(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        return new Num(BigRational.ParseDecimal(text));
    }

    Expr SetElementsRelation()
    {
        var lhs = AtomExprList();
        if (Kind is not (T.In or T.Assign)) throw Error("expected \\in or =");
        Next();
        var rhs = ConvertElements(SemicolonElements(relation: false));
        return new Rel(RelOp.Eq, lhs, rhs);
    }

    Expr AtomExprList()
    {
        if (Kind == T.LParen)
        {
            Next();
            var items = new List<Expr> { AtomExpr() };
            while (Accept(T.Comma)) items.Add(AtomExpr());
            Expect(T.RParen);
            return items.Count == 1 ? items[0] : new Tup(items.ToArray());
        }
        return AtomExpr();
    }

    static Expr ConvertElements(List<List<Expr>> groups)
    {
        if (groups.Count == 1) return groups[0].Count == 1 ? groups[0][0] : new FSet(groups[0]);
        if (groups.All(g => g.Count == 1)) return new FSet(groups.Select(g => g[0]));
        return new FSet(groups.Select(g => (Expr)new Tup(g.ToArray())));
    }

    List<List<Expr>> SemicolonElements(bool relation)
    {
        var groups = new List<List<Expr>> { CommaElements(relation) };
        while (Accept(T.Semicolon)) groups.Add(CommaElements(relation));
        return groups;
    }

    List<Expr> CommaElements(bool relation)
    {
        var items = new List<Expr>(Element(relation));
        while (Accept(T.Comma)) items.AddRange(Element(relation));
        return items;
    }

    /// <summary><c>element: plus_minus_expr | set_atom | relation</c> (or expr), first alternative that ends at a list boundary.</summary>
    List<Expr> Element(bool relation)
    {
        Enter();
        try
        {
            var pm = Try(() => { var r = PlusMinus(); return IsFollow(Kind) ? r : throw Error("not an element"); });
            if (pm != null) return pm;
            var atom = Try(() => { var r = SetAtom(); return IsFollow(Kind) ? r : throw Error("not an element"); });
            if (atom != null) return [atom];
            return [relation ? Relation() : Expression()];
        }
        finally { Leave(); }
    }

    List<Expr> PlusMinus()
    {
        if (Accept(T.PlusMinus))
        {
            var e = Expression();
            return [NegateNumberAware(e), e];
        }
        var l = Expression();
        Expect(T.PlusMinus);
        var r = Expression();
        return [Ops.Add(l, r), Ops.Add(l, NegateNumberAware(r))];
    }

    Expr NegateNumberAware(Expr e)
    {
        var n = Ops.Neg(e);
        return _atomic.Contains(e) ? Atomic(n) : n;
    }

    Expr SetAtom()
    {
        Enter();
        try
        {
            switch (Kind)
            {
                case T.SetNaturals: Next(); return new NamedSet("Naturals");
                case T.SetIntegers: Next(); return new NamedSet("Integers");
                case T.SetRationals: Next(); return new NamedSet("Rationals");
                case T.SetReals: Next(); return NamedSet.Reals;
                case T.SetComplex: Next(); return NamedSet.Complexes;
                case T.SetPrimes: Next(); return new NamedSet("Primes");
                case T.SetEmpty: Next(); return NamedSet.Empty;
                case T.LBrace when Peek(1) == T.RBrace: Next(); Next(); return NamedSet.Empty;
            }
            if (Kind is T.LBracket or T.LParen or T.LParenVisual or T.LBrack or T.LGroup)
            {
                var iv = Try(IntervalAtom);
                if (iv != null) return iv;
            }
            if (Kind is T.LParen or T.LParenVisual or T.LBracket)
            {
                var close = Kind == T.LParen ? T.RParen : Kind == T.LParenVisual ? T.RParenVisual : T.RBracket;
                Next();
                var groups = SemicolonElements(relation: true);
                Expect(close);
                var flat = groups.SelectMany(g => g).ToList();
                return flat.Count == 1 ? flat[0] : new Tup(flat.ToArray());
            }
            if (Kind is T.LBrace or T.LBraceVisual)
            {
                var close = Kind == T.LBrace ? T.RBrace : T.RBraceVisual;
                Next();
                var groups = SemicolonElements(relation: true);
                Expect(close);
                return new FSet(groups.SelectMany(g => g));
            }
            if (Kind == T.Boxed && Peek(1) == T.LBrace)
            {
                Next(); Next();
                var groups = SemicolonElements(relation: true);
                Expect(T.RBrace);
                return ConvertElements(groups);
            }
            throw Error("expected a set");
        }
        finally { Leave(); }
    }

    Expr IntervalAtom()
    {
        var open = Next().Kind;
        bool leftOpen = open is T.LParen or T.LGroup or T.LParenVisual;
        var lo = Expression();
        Expect(T.Comma);
        var hi = Expression();
        var close = Next().Kind;
        if (close is not (T.RBracket or T.RParen or T.RParenVisual or T.RBrack or T.RGroup)) throw Error("expected interval end");
        bool rightOpen = close is T.RParen or T.RGroup or T.RParenVisual;
        if (Numeric.TryReal(lo, out double l) && Numeric.TryReal(hi, out double h) && !(lo is Sym || hi is Sym))
        {
            if ((leftOpen && rightOpen && h <= l) || (!leftOpen && !rightOpen && h < l)) return new Tup([lo, hi]);
            if (h == l && !leftOpen && !rightOpen) return new FSet([lo]);
            if (h <= l) return NamedSet.Empty;
        }
        return new Interval(lo, hi, leftOpen, rightOpen);
    }

    // set_relation: set_relation (⊆|⊇) set_relation | atom_expr_list (∈|∉|=) set_relation | minus_expr
    Expr SetRelation()
    {
        Enter();
        try
        {
            var withAtom = Try(() =>
            {
                var left = AtomExprList();
                var op = Next().Kind;
                if (op is not (T.In or T.NotIn or T.Assign)) throw Error("expected set relation");
                var right = SetRelation();
                return op == T.NotIn ? new NotRel(new Rel(RelOp.Eq, left, right)) : (Expr)new Rel(RelOp.Eq, left, right);
            });
            if (withAtom != null) return withAtom;
            var l = SetMinus();
            while (Kind is T.Subset or T.Supset)
            {
                bool sub = Next().Kind == T.Subset;
                var r = SetMinus();
                l = new BoolVal(sub ? SetAlgebra.IsSubset(l, r) : SetAlgebra.IsSubset(r, l));
            }
            return l;
        }
        finally { Leave(); }
    }

    Expr SetMinus()
    {
        var l = SetUnion();
        while (Accept(T.SetMinus)) l = new SetOp(SetOpKind.Complement, [l, SetUnion()]);
        return l;
    }

    Expr SetUnion()
    {
        var l = SetIntersection();
        while (Accept(T.Union)) l = new SetOp(SetOpKind.Union, [AsSet(l), AsSet(SetIntersection())]);
        return l;
    }

    Expr SetIntersection()
    {
        var l = SetGroup();
        while (Accept(T.Intersection)) l = new SetOp(SetOpKind.Intersection, [AsSet(l), AsSet(SetGroup())]);
        return l;
    }

    static Expr AsSet(Expr e) => e is Tup t ? new FSet(t.Items) : e;

    Expr SetGroup()
    {
        Enter();
        try
        {
            if (Kind == T.LParen)
            {
                var g = Try(() => { Next(); var m = SetMinus(); Expect(T.RParen); return m; });
                if (g != null) return g;
            }
            return SetAtom();
        }
        finally { Leave(); }
    }
}
