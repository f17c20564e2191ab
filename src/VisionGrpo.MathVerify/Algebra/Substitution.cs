namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Replaces symbols by expressions and rebuilds the tree through <see cref="Ops"/> (re-simplifying).</summary>
internal static class Substitution
{
    public static Expr Apply(Expr e, IReadOnlyDictionary<string, Expr> map, int depth = 0)
    {
        if (depth > 400) throw new NotEvaluableException("expression too deep");
        ComputeGuard.Check();
        int d = depth + 1;
        Expr S(Expr x) => Apply(x, map, d);
        return e switch
        {
            Sym s => map.TryGetValue(s.Name, out var r) ? r : s,
            Add a => Ops.Add(a.Terms.Select(S).ToArray()),
            Mul m => Ops.Mul(m.Factors.Select(S).ToArray()),
            Pow p => Ops.Pow(S(p.Base), S(p.Exp)),
            Fn f => f.Undefined ? new Fn(f.Name, f.Args.Select(S).ToArray(), true) : Ops.Fn(f.Name, f.Args.Select(S).ToArray()),
            Pct p => new Pct(S(p.Inner)),
            Rel r => new Rel(r.Op, S(r.Lhs), S(r.Rhs)),
            AndRel ar => new AndRel(ar.Parts.Select(p => (Rel)S(p)).ToArray()),
            NotRel nr => new NotRel(S(nr.Inner)),
            FSet fs => new FSet(fs.Items.Select(S)),
            Tup t => new Tup(t.Items.Select(S).ToArray()),
            Interval iv => new Interval(S(iv.Lo), S(iv.Hi), iv.LeftOpen, iv.RightOpen),
            SetOp so => new SetOp(so.Kind, so.Args.Select(S).ToArray()),
            Matrix mx => MatrixOps.Map(mx, S),
            _ => e,
        };
    }
}
