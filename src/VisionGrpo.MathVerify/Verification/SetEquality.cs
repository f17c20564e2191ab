using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>Port of <c>sympy_compare_sets</c>: intervals, set equality, ordered element-wise comparison of sets and tuples.</summary>
internal sealed class SetEquality(ExprEquality eq)
{
    public bool Compare(Expr gold, Expr pred, int depth)
    {
        var a = gold is FSet or Interval or SetOp or NamedSet or Tup ? gold : new FSet([gold]);
        var b = pred is FSet or Interval or SetOp or NamedSet or Tup ? pred : new FSet([pred]);
        if (a is Interval ia && b is Interval ib)
            return ia.LeftOpen == ib.LeftOpen && ia.RightOpen == ib.RightOpen && eq.Equal(ia.Lo, ib.Lo, depth + 1) && eq.Equal(ia.Hi, ib.Hi, depth + 1);
        if (a.Key == b.Key) return true;
        if (a is not Tup && b is not Tup && SetAlgebra.SetsEqual(a, b)) return true;
        if (a is FSet or Tup && b is FSet or Tup) return DeepCompare(a, b, depth);
        if (a is Interval ai && b is FSet or Tup && ai.IsOpen && Items(b).Length == 2) return DeepCompare(new Tup([ai.Lo, ai.Hi]), b, depth);
        if (b is Interval bi && a is FSet or Tup && bi.IsOpen && Items(a).Length == 2) return DeepCompare(a, new Tup([bi.Lo, bi.Hi]), depth);
        return false;
    }

    static Expr[] Items(Expr e) => e is FSet f ? f.Items : ((Tup)e).Items;

    bool DeepCompare(Expr gold, Expr pred, int depth)
    {
        var g = Items(gold); var p = Items(pred);
        if (g.Length != p.Length) return false;
        if (gold is FSet) { g = Sorted(g); p = Sorted(p); }
        else if (pred is FSet && gold is not Tup) p = Sorted(p);
        else if (pred is FSet && gold is Tup) { /* the prediction's written order */ }
        for (int i = 0; i < g.Length; i++) if (!eq.Equal(g[i], p[i], depth + 1)) return false;
        return true;
    }

    /// <summary>sympy's canonical order of evaluated elements: numbers by value first, then other values by key.</summary>
    static Expr[] Sorted(Expr[] items) => items
        .Select(x => (x, key: SortKey(ExprEquality.UnwrapAssignment(x))))
        .OrderBy(t => t.key.rank).ThenBy(t => t.key.value).ThenBy(t => t.key.text, StringComparer.Ordinal)
        .Select(t => t.x).ToArray();

    static (int rank, double value, string text) SortKey(Expr e)
    {
        if (Numeric.TryReal(e, out var v) && double.IsFinite(v)) return (0, v, "");
        return (1, 0, e.Key);
    }
}
