using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>Port of <c>sympy_compare_symbols</c>: e vs Euler's number, symbol vs product of symbols, case rules, printed forms.</summary>
internal static class SymbolEquality
{
    public static bool Compare(Expr gold, Expr pred)
    {
        if (gold is Sym gs && gs.Name.Equals("e", StringComparison.OrdinalIgnoreCase) && pred == Const.E) return true;
        if (pred is Sym ps && ps.Name.Equals("e", StringComparison.OrdinalIgnoreCase) && gold == Const.E) return true;
        if (pred is Const { Kind: ConstKind.E } && gold is Sym g1 && g1.Name.Equals("e", StringComparison.OrdinalIgnoreCase)) return true;
        if (gold is Sym g2 && pred is Mul pm && pm.Factors.All(f => f is Sym || f is Const { Kind: ConstKind.E }))
            return g2.Name.Equals(Concat(pm), StringComparison.OrdinalIgnoreCase);
        if (pred is Sym p2 && gold is Mul gm && gm.Factors.All(f => f is Sym || f is Const { Kind: ConstKind.E }))
            return p2.Name.Equals(Concat(gm), StringComparison.OrdinalIgnoreCase);
        if (gold is Sym a && pred is Sym b)
        {
            var gn = a.Name.Length > 1 ? a.Name.ToLowerInvariant() : a.Name;
            var pn = b.Name.Length > 1 ? b.Name.ToLowerInvariant() : b.Name;
            return gn == pn;
        }
        return SympyPrinter.Print(gold) == SympyPrinter.Print(pred);
    }

    static string Concat(Mul m) => string.Concat(m.Factors.Select(f => f is Sym s ? s.Name : "e"));
}
