namespace VisionGrpo.MathVerify.Algebra;

/// <summary>The reference's <c>is_expr_of_only_symbols</c>: symbols, products/tuples/applications of symbols, and 1/symbol.</summary>
internal static class Assignments
{
    public static bool IsOnlySymbols(Expr e, int depth = 0)
    {
        if (depth > 100) return false;
        switch (e)
        {
            case Sym: return true;
            case Pow p when p.Exp is Num n && n.Value == BigRational.MinusOne:
                return p.Base is Sym || p.Base.Children.Count > 0 && p.Base.Children.All(c => IsOnlySymbols(c, depth + 1));
            case Num or Flt or Const or NamedSet or BoolVal: return false;
        }
        var ch = e.Children;
        return ch.Count > 0 && ch.All(c => IsOnlySymbols(c, depth + 1));
    }
}
