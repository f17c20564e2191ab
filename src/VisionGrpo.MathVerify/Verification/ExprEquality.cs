using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>Port of <c>sympy_expr_eq</c>: assignment collapsing, gold-format unwrapping, then the comparison cascade.</summary>
internal sealed class ExprEquality(int floatRounding, bool strict, bool allowSetRelationComp)
{
    public bool Equal(Expr gold, Expr pred, int depth = 0)
    {
        ComputeGuard.Check();
        if (depth > 50) return false;
        if (!strict) pred = RenameSymbols(gold, pred);
        bool goldAssign = IsAssignment(gold), predAssign = IsAssignment(pred);
        bool goldEq = IsEquation(gold), predEq = IsEquation(pred);
        if (goldAssign) gold = new Rel(RelOp.Eq, First(gold).Lhs, Last(gold).Rhs);
        if (predAssign) pred = new Rel(RelOp.Eq, First(pred).Lhs, Last(pred).Rhs);
        if (predEq && !goldEq) pred = Last(pred).Rhs;
        else if (goldAssign && !predEq) gold = Last(gold).Rhs;

        if (IsRelation(gold) && IsSet(pred)) gold = RelationSets.AsSet(UnwrapFunctions(gold)) ?? gold;
        if (allowSetRelationComp && IsRelation(pred) && IsSet(gold)) pred = RelationSets.AsSet(UnwrapFunctions(pred)) ?? pred;

        if (gold is Const { Kind: ConstKind.NaN or ConstKind.ComplexInfinity }) throw new ArithmeticException("Can't evaluate nan or zoo");
        if (gold.Key == pred.Key) return true;
        if (IsRelation(gold) && IsRelation(pred)) return CompareRelational(gold, pred, depth);
        if (IsSet(gold) || gold is Tup || IsSet(pred) || pred is Tup) return new SetEquality(this).Compare(gold, pred, depth);
        if (gold is Sym || pred is Sym) return SymbolEquality.Compare(gold, pred);
        if (NumericEquality.NumericEq(gold, pred, floatRounding)) return true;
        return NumericEquality.SymbolicEq(gold, pred);
    }

    /// <summary><c>unwrap_fcs</c>: f(x) becomes the symbol <c>f_x</c> before a relation is turned into a set.</summary>
    static Expr UnwrapFunctions(Expr e, int depth = 0)
    {
        if (depth > 100) return e;
        if (e is Fn { Undefined: true } f) return new Sym(f.Name + "_" + string.Join("_", f.Args.Select(a => SympyPrinter.Print(UnwrapFunctions(a, depth + 1)))));
        return e switch
        {
            Rel r => new Rel(r.Op, UnwrapFunctions(r.Lhs, depth + 1), UnwrapFunctions(r.Rhs, depth + 1)),
            AndRel a => new AndRel(a.Parts.Select(p => (Rel)UnwrapFunctions(p, depth + 1)).ToArray()),
            Add ad => Ops.Add(ad.Terms.Select(t => UnwrapFunctions(t, depth + 1)).ToArray()),
            Mul m => Ops.Mul(m.Factors.Select(t => UnwrapFunctions(t, depth + 1)).ToArray()),
            Pow p => Ops.Pow(UnwrapFunctions(p.Base, depth + 1), UnwrapFunctions(p.Exp, depth + 1)),
            _ => e,
        };
    }

    static bool IsSet(Expr e) => e is FSet or Interval or SetOp or NamedSet;

    static Expr RenameSymbols(Expr gold, Expr pred)
    {
        var g = Free.Symbols(gold); var p = Free.Symbols(pred);
        if (g.Count != p.Count || g.Count == 0) return pred;
        var map = new Dictionary<string, Expr>();
        for (int i = 0; i < g.Count; i++) map[p[i].Name] = g[i];
        try { return Substitution.Apply(pred, map); } catch (Exception ex) when (ex is not MathTimeoutException) { return pred; }
    }

    public static bool IsRelation(Expr e) => e is Rel || e is AndRel a && a.Parts.Length > 0;
    static bool IsEquation(Expr e) => e is Rel { Op: RelOp.Eq } || e is AndRel a && a.Parts.Length > 0 && a.Parts.All(p => p.Op == RelOp.Eq);
    static bool IsAssignment(Expr e) =>
        e is Rel { Op: RelOp.Eq } r && Assignments.IsOnlySymbols(r.Lhs) ||
        e is AndRel a && a.Parts.Length > 0 && a.Parts.All(p => p.Op == RelOp.Eq) && Assignments.IsOnlySymbols(a.Parts[0].Lhs);
    static Rel First(Expr e) => e is AndRel a ? a.Parts[0] : (Rel)e;
    static Rel Last(Expr e) => e is AndRel a ? a.Parts[^1] : (Rel)e;

    /// <summary>Unwraps an assignment to its value (used for sorting set elements).</summary>
    public static Expr UnwrapAssignment(Expr e) => IsAssignment(e) ? Last(e).Rhs : e;

    bool CompareRelational(Expr gold, Expr pred, int depth)
    {
        if (gold is AndRel ga && pred is AndRel pa)
        {
            if (ga.Parts.Length != pa.Parts.Length) return false;
            for (int i = 0; i < ga.Parts.Length; i++) if (!CompareRelational(ga.Parts[i], pa.Parts[i], depth + 1)) return false;
            return true;
        }
        if (gold is not Rel g || pred is not Rel p) return false;
        try
        {
            if (g.Op == p.Op && Equal(Ops.Sub(g.Lhs, g.Rhs), Ops.Sub(p.Lhs, p.Rhs), depth + 1)) return true;
        }
        catch (Exception ex) when (ex is not MathTimeoutException) { }
        var mirror = Rel.Mirror(g.Op) ?? throw new InvalidOperationException("no inverse relation for ≠");
        if (mirror == p.Op)
        {
            try { if (Equal(Ops.Sub(g.Lhs, g.Rhs), Ops.Sub(p.Rhs, p.Lhs), depth + 1)) return true; }
            catch (Exception ex) when (ex is not MathTimeoutException) { }
        }
        return RelationSets.SameSolutions(g, p);
    }
}
