using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Latex;

internal sealed partial class LatexParser
{
    /// <summary><c>d/dx</c> operator waiting for its operand (the reference returns a one-element list).</summary>
    sealed class DiffMarker(Expr wrt) : Expr
    {
        public Expr Wrt { get; } = wrt;
        protected override string BuildKey() => "d/d" + Wrt.Key;
        public override IReadOnlyList<Expr> Children => [];
    }

    static bool IsRelOp(T k) => k is T.Assign or T.Equal or T.Approx or T.Lt or T.Lte or T.Gt or T.Gte or T.Unequal or T.In;

    Expr Relation()
    {
        Enter();
        try
        {
            var lh = Expression();
            while (IsRelOp(Kind))
            {
                var op = Next().Kind;
                var rh = Expression();
                lh = CombineRelation(lh, op, rh);
            }
            return lh;
        }
        finally { Leave(); }
    }

    static Expr CombineRelation(Expr lh, T op, Expr rh)
    {
        RelOp rop;
        switch (op)
        {
            case T.Lt: rop = RelOp.Lt; break;
            case T.Lte: rop = RelOp.Le; break;
            case T.Gt: rop = RelOp.Gt; break;
            case T.Gte: rop = RelOp.Ge; break;
            case T.Equal or T.Assign: rop = RelOp.Eq; break;
            case T.Unequal: rop = RelOp.Ne; break;
            case T.Approx: return Assignments.IsOnlySymbols(lh) ? rh : lh;
            default: throw new LatexParseException("Unrecognized relation");
        }
        if (lh is AndRel and1) return new AndRel([.. and1.Parts, new Rel(rop, and1.Parts[^1].Rhs, rh)]);
        if (lh is Rel r1) return new AndRel([r1, new Rel(rop, r1.Rhs, rh)]);
        return new Rel(rop, lh, rh);
    }

    Expr Expression() => Additive();

    Expr Additive()
    {
        Enter();
        try
        {
            var l = Mp(nofunc: false);
            while (Kind is T.Add or T.Sub)
            {
                bool sub = Next().Kind == T.Sub;
                var r = Mp(nofunc: false);
                if (sub) r = r.IsNumber ? Ops.Neg(r) : Ops.Mul(Num.MinusOne, r);
                l = Ops.Add(l, r);
            }
            return l;
        }
        finally { Leave(); }
    }

    static bool IsMpOp(T k) => k is T.Mul or T.Times or T.Cdot or T.Div or T.CmdDiv or T.Colon or T.Mod;

    Expr Mp(bool nofunc)
    {
        Enter();
        try
        {
            var l = Unary(nofunc);
            while (IsMpOp(Kind))
            {
                var op = Next().Kind;
                var r = Unary(nofunc);
                l = op switch
                {
                    T.Mul or T.Times or T.Cdot => InWrittenOrder(Ops.Mul(l, r), l, r),
                    T.Mod => r is Matrix ? throw new LatexParseException("modulo with a matrix") : Ops.Fn("Mod", l, r),
                    _ => IsAtomicInteger(l) && IsAtomicInteger(r) ? DivideIntegers(l, r) : Ops.Div(l, r),
                };
            }
            return l;
        }
        finally { Leave(); }
    }

    Expr DivideIntegers(Expr l, Expr r)
    {
        if (r is Num z && z.Value.IsZero) return Const.Zoo;
        return Atomic(new Num(((Num)l).Value / ((Num)r).Value));
    }

    Expr Unary(bool nofunc)
    {
        Enter();
        try
        {
            if (Accept(T.Add)) return Unary(nofunc);
            if (Accept(T.Sub))
            {
                var inner = Unary(nofunc);
                if (inner.IsNumber) return _atomic.Contains(inner) ? Atomic(Ops.Neg(inner)) : Ops.Neg(inner);
                return Ops.Mul(Num.MinusOne, inner);
            }
            var items = new List<Expr> { Postfix(allowFunc: true) };
            while (StartsComp(Kind, allowFunc: !nofunc) && !ClosesAbs()) items.Add(Postfix(allowFunc: !nofunc));
            return PostfixList(items, 0);
        }
        finally { Leave(); }
    }

    /// <summary>In an absolute-value group a <c>|</c> closes it unless a retry decided that this bar opens a new one.</summary>
    bool ClosesAbs()
    {
        if (_absDepth == 0 || Kind is not (T.Bar or T.Vert)) return false;
        if (_barsPreferOpen.Contains(_pos)) return false;
        _ambiguousBars.Add(_pos);
        return true;
    }

    Expr PostfixList(List<Expr> items, int i)
    {
        var res = items[i];
        if (res is DiffMarker dm)
        {
            if (i == items.Count - 1) throw new LatexParseException("Expected expression for derivative");
            return new Fn("Derivative", [PostfixList(items, i + 1), dm.Wrt]);
        }
        if (i == items.Count - 1) return res;
        var rh = PostfixList(items, i + 1);
        if (res is Matrix || rh is Matrix) return Ops.Mul(res, rh);
        if (IsAtomicInteger(res) && IsAtomicRational(rh) && ((Num)rh).Value.Sign > 0)
        {
            var a = ((Num)res).Value; var b = ((Num)rh).Value;
            var v = a.Sign < 0 ? a - b : a + b;
            return Atomic(new Num(v));
        }
        return InWrittenOrder(Ops.Mul(res, rh), res, rh);
    }

    /// <summary>The product <paramref name="product"/> of <paramref name="left"/> and <paramref name="right"/>, remembering the written order of its factors.</summary>
    static Expr InWrittenOrder(Expr product, Expr left, Expr right)
    {
        Expr[] written = [.. WrittenFactors(left), .. WrittenFactors(right)];
        return product switch
        {
            Mul m => new Mul(m.Factors) { Written = written },
            Pow p => new Pow(p.Base, p.Exp) { Written = written },
            _ => product,
        };
    }

    static Expr[] WrittenFactors(Expr e) => e.Written ?? (e is Mul m ? m.Factors : [e]);

    static bool StartsComp(T k, bool allowFunc) => k switch
    {
        T.LParen or T.LGroup or T.LBrace or T.LBracket or T.LBraceVisual or T.LBraceCmd or T.LBrack or T.Phantom or T.Boxed
            or T.Norm or T.Bar or T.LVert or T.Vert or T.LAngle or T.LFloor or T.LLCorner or T.LCeil or T.ULCorner
            or T.Letter or T.Greek or T.OtherSymbol or T.Accent or T.Symbol or T.Number or T.PercentNumber or T.ENotation
            or T.ENotationE or T.Differential or T.Variable or T.Frac or T.Binom or T.MatrixStart or T.ArrayStart or T.DetStart => true,
        T.FuncSingle or T.FuncMulti or T.OperatorName or T.Int or T.Sqrt or T.Sum or T.Prod or T.Lim or T.ExpE => allowFunc,
        _ => false,
    };

    Expr Postfix(bool allowFunc)
    {
        Enter();
        try
        {
            var e = Exp(allowFunc);
            while (true)
            {
                if (Accept(T.Bang))
                {
                    if (e is DiffMarker) throw new LatexParseException("Cannot apply postfix to derivative");
                    e = new Fn("factorial", [e]);
                }
                else if (Accept(T.Transpose)) e = Ops.Transpose(e);
                else if (Accept(T.Degree)) { /* degrees are not converted */ }
                else break;
            }
            return e;
        }
        finally { Leave(); }
    }

    Expr Exp(bool allowFunc)
    {
        Enter();
        try
        {
            var b = Comp(allowFunc);
            while (Kind == T.Caret && !(_inLimit && Peek(1) == T.LBrace && Peek(2) is T.Add or T.Sub && Peek(3) == T.RBrace))
            {
                Next();
                if (b is DiffMarker) throw new LatexParseException("Cannot raise derivative to power");
                Expr exponent;
                if (Accept(T.LBrace)) { exponent = Expression(); Expect(T.RBrace); }
                else exponent = ScriptAtom();
                if (Kind == T.Underscore) SubExprText();
                b = Ops.Pow(b, exponent);
            }
            return b;
        }
        finally { Leave(); }
    }
}
