namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Relation operators.</summary>
internal enum RelOp { Eq, Ne, Lt, Le, Gt, Ge }

/// <summary>A binary relation lhs op rhs.</summary>
internal sealed class Rel(RelOp op, Expr lhs, Expr rhs) : Expr
{
    public RelOp Op { get; } = op;
    public Expr Lhs { get; } = lhs;
    public Expr Rhs { get; } = rhs;
    protected override string BuildKey() => "R" + Op + "(" + Lhs.Key + "," + Rhs.Key + ")";
    public override IReadOnlyList<Expr> Children => [Lhs, Rhs];

    /// <summary>The relation with sides swapped (<c>&lt;</c> becomes <c>&gt;</c>); null for ≠ (the reference has no mirror for it).</summary>
    public static RelOp? Mirror(RelOp op) => op switch
    {
        RelOp.Eq => RelOp.Eq, RelOp.Lt => RelOp.Gt, RelOp.Gt => RelOp.Lt, RelOp.Le => RelOp.Ge, RelOp.Ge => RelOp.Le, _ => null,
    };
}

/// <summary>A chain of relations <c>a &lt; b ≤ c</c> kept in written order.</summary>
internal sealed class AndRel(Rel[] parts) : Expr
{
    public Rel[] Parts { get; } = parts;
    protected override string BuildKey() => "&(" + string.Join(",", Parts.Select(p => p.Key)) + ")";
    public override IReadOnlyList<Expr> Children => Parts;
}

/// <summary>Negation of a relation (from <c>\notin</c>).</summary>
internal sealed class NotRel(Expr inner) : Expr
{
    public Expr Inner { get; } = inner;
    protected override string BuildKey() => "!(" + Inner.Key + ")";
    public override IReadOnlyList<Expr> Children => [Inner];
}
