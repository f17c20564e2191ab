using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>
/// Relations as sets (<c>as_set()</c> for one-variable linear relations, <c>|x|</c> against a constant, and chains)
/// and solution comparison of
/// relations (the reference's <c>solve</c> step), done here by proportionality of <c>lhs − rhs</c>.
/// </summary>
internal static class RelationSets
{
    /// <summary>The set a relation in one variable describes, or null when it is not linear in one variable.</summary>
    public static Expr? AsSet(Expr rel)
    {
        try
        {
            if (rel is AndRel a)
            {
                Expr? acc = null;
                foreach (var p in a.Parts)
                {
                    var s = AsSet(p);
                    if (s == null) return null;
                    acc = acc == null ? s : SetAlgebra.Evaluate(new SetOp(SetOpKind.Intersection, [acc, s]));
                }
                return acc;
            }
            if (rel is not Rel r) return null;
            var syms = Free.Symbols(r);
            if (syms.Count != 1) return null;
            var x = syms[0].Name;
            if (AbsAsSet(r, x) is { } absSet) return absSet;
            var f = Ops.Sub(r.Lhs, r.Rhs);
            var f0 = Substitution.Apply(f, new Dictionary<string, Expr> { [x] = Num.Zero });
            var f1 = Substitution.Apply(f, new Dictionary<string, Expr> { [x] = Num.One });
            var f2 = Substitution.Apply(f, new Dictionary<string, Expr> { [x] = Num.Of(2) });
            if (!Exact.TryRational(f0, out var b) || !Exact.TryRational(f1, out var ab) || !Exact.TryRational(f2, out var a2b)) return null;
            var slope = ab - b;
            if (slope.IsZero || a2b - b != slope + slope) return null;
            var root = new Num(-b / slope);
            var op = slope.Sign > 0 ? r.Op : (Rel.Mirror(r.Op) ?? r.Op);
            return op switch
            {
                RelOp.Eq => new FSet([root]),
                RelOp.Ne => new SetOp(SetOpKind.Union, [new Interval(Const.NegInf, root, true, true), new Interval(root, Const.Inf, true, true)]),
                RelOp.Lt => new Interval(Const.NegInf, root, true, true),
                RelOp.Le => new Interval(Const.NegInf, root, true, false),
                RelOp.Gt => new Interval(root, Const.Inf, true, true),
                _ => new Interval(root, Const.Inf, false, true),
            };
        }
        catch (Exception ex) when (ex is not MathTimeoutException) { return null; }
    }

    /// <summary><c>|x| op c</c> (either side) over the reals, as sympy's <c>as_set</c>; null for any other shape.</summary>
    static Expr? AbsAsSet(Rel r, string x)
    {
        bool IsAbsX(Expr e) => e is Fn { Name: "Abs", Args: [Sym s] } && s.Name == x;
        RelOp op;
        Expr other;
        if (IsAbsX(r.Lhs)) (op, other) = (r.Op, r.Rhs);
        else if (IsAbsX(r.Rhs) && Rel.Mirror(r.Op) is { } m) (op, other) = (m, r.Lhs);
        else return null;
        if (!Exact.TryRational(other, out var c)) return null;
        var pc = new Num(c);
        var nc = new Num(-c);
        var reals = new NamedSet("Reals");
        Expr Outside(bool open) => new SetOp(SetOpKind.Union, [new Interval(Const.NegInf, nc, true, open), new Interval(pc, Const.Inf, open, true)]);
        return op switch
        {
            RelOp.Eq => c.Sign < 0 ? NamedSet.Empty : c.IsZero ? new FSet([Num.Zero]) : new FSet([nc, pc]),
            RelOp.Lt => c.Sign <= 0 ? NamedSet.Empty : new Interval(nc, pc, true, true),
            RelOp.Le => c.Sign < 0 ? NamedSet.Empty : c.IsZero ? new FSet([Num.Zero]) : new Interval(nc, pc, false, false),
            RelOp.Gt => c.Sign < 0 ? reals : Outside(open: true),
            RelOp.Ge => c.Sign <= 0 ? reals : Outside(open: false),
            _ => null,
        };
    }

    /// <summary>Same solutions: lhs − rhs proportional (positive factor keeps the relation, negative mirrors it).</summary>
    public static bool SameSolutions(Rel g, Rel p)
    {
        var fg = Ops.Sub(g.Lhs, g.Rhs);
        var fp = Ops.Sub(p.Lhs, p.Rhs);
        var syms = Free.Symbols(fg).Select(s => s.Name).Union(Free.Symbols(fp).Select(s => s.Name)).ToList();
        if (syms.Count == 0 || Free.Symbols(fg).Count != Free.Symbols(fp).Count) return false;
        var rng = new Random(777);
        double? ratio = null;
        for (int t = 0; t < 6; t++)
        {
            var env = syms.ToDictionary(s => s, _ => (System.Numerics.Complex)(0.3 + rng.NextDouble() * 2.2));
            System.Numerics.Complex vg, vp;
            try { vg = Numeric.Eval(fg, env); vp = Numeric.Eval(fp, env); }
            catch (Exception ex) when (ex is NotEvaluableException or ArithmeticException) { return false; }
            if (vp.Magnitude < 1e-12) { if (vg.Magnitude < 1e-12) continue; return false; }
            var rr = vg / vp;
            if (Math.Abs(rr.Imaginary) > 1e-9) return false;
            if (ratio == null) ratio = rr.Real;
            else if (Math.Abs(rr.Real - ratio.Value) > 1e-9 * Math.Max(1, Math.Abs(ratio.Value))) return false;
        }
        if (ratio == null || ratio == 0) return false;
        if (g.Op is RelOp.Eq) return p.Op == RelOp.Eq;
        if (g.Op is RelOp.Ne) return p.Op == RelOp.Ne;
        return ratio > 0 ? g.Op == p.Op : Rel.Mirror(g.Op) == p.Op;
    }
}
