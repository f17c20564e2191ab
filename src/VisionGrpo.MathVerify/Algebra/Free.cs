namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Free symbols of an expression (bound variables of sums, integrals and limits excluded).</summary>
internal static class Free
{
    public static List<Sym> Symbols(Expr e)
    {
        var seen = new Dictionary<string, Sym>(StringComparer.Ordinal);
        Collect(e, seen, [], 0);
        return seen.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    static void Collect(Expr e, Dictionary<string, Sym> acc, HashSet<string> bound, int depth)
    {
        if (depth > 400) return;
        ComputeGuard.Check();
        switch (e)
        {
            case Sym s:
                if (!bound.Contains(s.Name)) acc.TryAdd(s.Name, s);
                return;
            case Fn f when f.Name is "Sum" or "Product" or "Integral" or "Limit" && f.Args.Length >= 2 && f.Args[1] is Sym v:
            {
                var inner = new HashSet<string>(bound) { v.Name };
                Collect(f.Args[0], acc, inner, depth + 1);
                foreach (var a in f.Args.Skip(2)) Collect(a, acc, bound, depth + 1);
                return;
            }
        }
        foreach (var c in e.Children) Collect(c, acc, bound, depth + 1);
    }
}
