namespace VisionGrpo.MathVerify.Algebra;

/// <summary>A finite set; <see cref="Items"/> keeps the written order (duplicates removed), as the reference's FiniteSet.</summary>
internal sealed class FSet : Expr
{
    public Expr[] Items { get; }
    public FSet(IEnumerable<Expr> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Items = items.Where(i => seen.Add(i.Key)).ToArray();
    }
    protected override string BuildKey() => "{" + string.Join(",", Items.Select(i => i.Key).Order(StringComparer.Ordinal)) + "}";
    public override IReadOnlyList<Expr> Children => Items;
}

/// <summary>An ordered tuple.</summary>
internal sealed class Tup(Expr[] items) : Expr
{
    public Expr[] Items { get; } = items;
    protected override string BuildKey() => "T(" + string.Join(",", Items.Select(i => i.Key)) + ")";
    public override IReadOnlyList<Expr> Children => Items;
}

/// <summary>A real interval with open/closed ends.</summary>
internal sealed class Interval(Expr lo, Expr hi, bool leftOpen, bool rightOpen) : Expr
{
    public Expr Lo { get; } = lo;
    public Expr Hi { get; } = hi;
    public bool LeftOpen { get; } = leftOpen;
    public bool RightOpen { get; } = rightOpen;
    public bool IsOpen => LeftOpen && RightOpen;
    protected override string BuildKey() => (LeftOpen ? "(" : "[") + Lo.Key + "," + Hi.Key + (RightOpen ? ")" : "]");
    public override IReadOnlyList<Expr> Children => [Lo, Hi];
}

/// <summary>Set operations.</summary>
internal enum SetOpKind { Union, Intersection, Complement }

/// <summary>An unevaluated union / intersection / complement of sets.</summary>
internal sealed class SetOp(SetOpKind kind, Expr[] args) : Expr
{
    public SetOpKind Kind { get; } = kind;
    public Expr[] Args { get; } = args;
    protected override string BuildKey() => Kind + "(" + string.Join(",", Kind == SetOpKind.Complement ? Args.Select(a => a.Key) : Args.Select(a => a.Key).Order(StringComparer.Ordinal)) + ")";
    public override IReadOnlyList<Expr> Children => Args;
}

/// <summary>Standard sets: Reals, Naturals, Integers, Rationals, Complexes, Primes, EmptySet.</summary>
internal sealed class NamedSet(string name) : Expr
{
    public string Name { get; } = name;
    public static readonly NamedSet Empty = new("EmptySet");
    public static readonly NamedSet Reals = new("Reals");
    public static readonly NamedSet Complexes = new("Complexes");
    protected override string BuildKey() => "Set:" + Name;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>A dense matrix.</summary>
internal sealed class Matrix(Expr[][] rows) : Expr
{
    public Expr[][] Rows { get; } = rows;
    public int RowCount => Rows.Length;
    public int ColCount => Rows.Length == 0 ? 0 : Rows[0].Length;
    protected override string BuildKey() => "M[" + string.Join(";", Rows.Select(r => string.Join(",", r.Select(c => c.Key)))) + "]";
    public override IReadOnlyList<Expr> Children => Rows.SelectMany(r => r).ToArray();
}
