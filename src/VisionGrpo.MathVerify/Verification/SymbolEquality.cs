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
        if (gold is Sym g2 && Letters(pred) is { } pl)
            return g2.Name.Equals(pl, StringComparison.OrdinalIgnoreCase);
        if (pred is Sym p2 && Letters(gold) is { } gl)
            return p2.Name.Equals(gl, StringComparison.OrdinalIgnoreCase);
        if (gold is Sym a && pred is Sym b)
        {
            var gn = a.Name.Length > 1 ? a.Name.ToLowerInvariant() : a.Name;
            var pn = b.Name.Length > 1 ? b.Name.ToLowerInvariant() : b.Name;
            return gn == pn;
        }
        return SympyPrinter.Print(gold) == SympyPrinter.Print(pred);
    }

    /// <summary>
    /// A product of symbols (and Euler's e, which a written "e" parses to) joined into a word in the order written,
    /// as Python iterates the unevaluated <c>Mul</c>'s args; null when a factor is anything else.
    /// </summary>
    static string? Letters(Expr product)
    {
        var factors = product.Written ?? (product as Mul)?.Factors;
        return factors != null && factors.All(f => f is Sym || f is Const { Kind: ConstKind.E })
            ? string.Concat(factors.Select(f => f is Sym s ? s.Name : "e"))
            : null;
    }
}
