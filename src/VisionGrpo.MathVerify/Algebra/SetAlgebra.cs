namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Evaluation and comparison of finite sets, intervals and their unions / intersections / complements.</summary>
internal static class SetAlgebra
{
    /// <summary>Structural-or-exact element equality used for set membership (no float rounding, as sympy sets).</summary>
    public static bool SameElement(Expr a, Expr b)
    {
        if (a.Key == b.Key) return true;
        if (Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y)) return x == y;
        return false;
    }

    /// <summary>Simplifies set operations whose operands are finite sets / intervals.</summary>
    public static Expr Evaluate(Expr e, int depth = 0)
    {
        if (depth > 100 || e is not SetOp so) return e is FSet { Items.Length: 0 } ? NamedSet.Empty : e;
        var args = so.Args.Select(a => Evaluate(a is Tup t ? new FSet(t.Items) : a, depth + 1)).ToArray();
        switch (so.Kind)
        {
            case SetOpKind.Union:
                if (args.All(a => a is FSet || a == NamedSet.Empty)) return Normalize(new FSet(args.OfType<FSet>().SelectMany(f => f.Items)));
                var nonEmpty = args.Where(a => a != NamedSet.Empty).ToArray();
                return nonEmpty.Length == 1 ? nonEmpty[0] : new SetOp(SetOpKind.Union, nonEmpty);
            case SetOpKind.Intersection:
                if (args.Any(a => a is FSet))
                {
                    var fs = (FSet)args.First(a => a is FSet);
                    var others = args.Where(a => !ReferenceEquals(a, fs)).ToList();
                    var kept = fs.Items.Where(x => others.All(o => Contains(o, x) == true)).ToList();
                    if (fs.Items.All(x => others.All(o => Contains(o, x) is not null))) return Normalize(new FSet(kept));
                }
                if (args.Length == 2 && args[0] is Interval i1 && args[1] is Interval i2) return IntersectIntervals(i1, i2) ?? so;
                if (args.Length == 2 && (args[0] is SetOp { Kind: SetOpKind.Union } || args[1] is SetOp { Kind: SetOpKind.Union }))
                {
                    // (A ∪ B) ∩ C = (A ∩ C) ∪ (B ∩ C): what sympy gives for 1 ≤ |z| ≤ 3/2.
                    var (union, other) = args[0] is SetOp { Kind: SetOpKind.Union } u0 ? (u0, args[1]) : ((SetOp)args[1], args[0]);
                    var parts = union.Args.Select(a => Evaluate(new SetOp(SetOpKind.Intersection, [a, other]), depth + 1)).ToArray();
                    if (parts.All(p => p is Interval or FSet || p == NamedSet.Empty))
                        return Evaluate(new SetOp(SetOpKind.Union, parts), depth + 1);
                }
                return new SetOp(SetOpKind.Intersection, args);
            case SetOpKind.Complement:
                if (args[0] is FSet f0 && args[1] is var sub && f0.Items.All(x => Contains(sub, x) is not null))
                    return Normalize(new FSet(f0.Items.Where(x => Contains(sub, x) == false)));
                return new SetOp(SetOpKind.Complement, args);
        }
        return e;
    }

    static Expr Normalize(FSet f) => f.Items.Length == 0 ? NamedSet.Empty : f;

    static Expr? IntersectIntervals(Interval a, Interval b)
    {
        if (!Numeric.TryReal(a.Lo, out var al) || !Numeric.TryReal(a.Hi, out var ah) || !Numeric.TryReal(b.Lo, out var bl) || !Numeric.TryReal(b.Hi, out var bh)) return null;
        var (lo, lOpen) = al > bl ? (a.Lo, a.LeftOpen) : bl > al ? (b.Lo, b.LeftOpen) : (a.Lo, a.LeftOpen || b.LeftOpen);
        var (hi, hOpen) = ah < bh ? (a.Hi, a.RightOpen) : bh < ah ? (b.Hi, b.RightOpen) : (a.Hi, a.RightOpen || b.RightOpen);
        double l = Math.Max(al, bl), h = Math.Min(ah, bh);
        if (h < l || (h == l && (lOpen || hOpen))) return NamedSet.Empty;
        if (h == l) return new FSet([lo]);
        return new Interval(lo, hi, lOpen, hOpen);
    }

    /// <summary>Membership: true / false, or null when undecidable here.</summary>
    public static bool? Contains(Expr set, Expr x)
    {
        switch (set)
        {
            case FSet f:
                if (f.Items.Any(i => SameElement(i, x))) return true;
                if (f.Items.All(i => Numeric.TryReal(i, out _)) && Numeric.TryReal(x, out _)) return false;
                return f.Items.Length == 0 ? false : null;
            case Interval iv:
                if (!Numeric.TryReal(x, out var v) || !Numeric.TryReal(iv.Lo, out var lo) || !Numeric.TryReal(iv.Hi, out var hi)) return null;
                bool aboveLo = iv.LeftOpen ? v > lo : v >= lo;
                bool belowHi = iv.RightOpen ? v < hi : v <= hi;
                return aboveLo && belowHi;
            case NamedSet { Name: "EmptySet" }: return false;
            case NamedSet { Name: "Reals" }: return Numeric.TryReal(x, out _) ? true : null;
            case SetOp { Kind: SetOpKind.Union } u:
                bool anyNull = false;
                foreach (var a in u.Args) { var c = Contains(a, x); if (c == true) return true; if (c == null) anyNull = true; }
                return anyNull ? null : false;
        }
        return null;
    }

    public static bool IsSubset(Expr a, Expr b)
    {
        a = Evaluate(a); b = Evaluate(b);
        if (a is FSet f) return f.Items.All(x => Contains(b, x) == true);
        if (a == NamedSet.Empty) return true;
        if (a is Interval ia && b is Interval ib)
            return IntersectIntervals(ia, ib) is Interval r && r.Key == ia.Key;
        if (a is NamedSet na && b is NamedSet nb) return na.Name == nb.Name || (nb.Name == "Reals" && na.Name is "Naturals" or "Integers" or "Rationals") || nb.Name == "Complexes";
        return a.Key == b.Key;
    }

    /// <summary>Set equality (sympy <c>==</c> after evaluation, or an empty symmetric difference).</summary>
    public static bool SetsEqual(Expr a, Expr b)
    {
        a = Evaluate(a); b = Evaluate(b);
        if (a.Key == b.Key) return true;
        if (a is FSet fa && b is FSet fb)
            return fa.Items.All(x => fb.Items.Any(y => SameElement(x, y))) && fb.Items.All(y => fa.Items.Any(x => SameElement(x, y)));
        if (a is SetOp { Kind: SetOpKind.Union } ua && b is SetOp { Kind: SetOpKind.Union } ub && ua.Args.Length == ub.Args.Length)
            return ua.Args.All(x => ub.Args.Any(y => SetsEqual(x, y)));
        return false;
    }
}
