namespace VisionGrpo.MathVerify.Algebra;

/// <summary>
/// An immutable node of the expression tree (numbers, symbols, operations, relations, sets, matrices).
/// Trees are built through <see cref="Ops"/>, which applies sympy-like automatic simplification.
/// </summary>
internal abstract class Expr
{
    string? _key;

    /// <summary>Canonical structural key: equal keys ⇔ structurally equal trees.</summary>
    public string Key => _key ??= BuildKey();

    protected abstract string BuildKey();

    /// <summary>Child nodes (used for generic traversals).</summary>
    public abstract IReadOnlyList<Expr> Children { get; }

    /// <summary>
    /// For a product the parser built (a <see cref="Mul"/>, or a <see cref="Pow"/> when equal factors merged, as
    /// <c>ee</c> → e²): its factors in the order written. sympy keeps an unevaluated product's arguments in that
    /// order and Math-Verify joins them to compare <c>\boxed{cat}</c> with <c>\text{cat}</c>. Not part of
    /// <see cref="Key"/>: the value is the same.
    /// </summary>
    public Expr[]? Written { get; init; }

    public override string ToString() => SympyPrinter.Print(this);
    public override bool Equals(object? obj) => obj is Expr e && e.Key == Key;
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public bool IsNumber => this is Num || this is Flt;
    public bool IsSetLike => this is FSet || this is Interval || this is SetOp || this is NamedSet;
}

/// <summary>Exact rational number.</summary>
internal sealed class Num(BigRational value) : Expr
{
    public BigRational Value { get; } = value;

    /// <summary>
    /// The parser computed this number from operations (<c>2^{70}</c>, <c>\frac{1}{20!}</c>) that sympy keeps
    /// unevaluated, so Math-Verify does not treat it as an atomic Number (it compares by <c>evalf</c> instead).
    /// Not part of <see cref="Expr.Key"/>.
    /// </summary>
    public bool Computed { get; init; }
    public static readonly Num Zero = new(BigRational.Zero);
    public static readonly Num One = new(BigRational.One);
    public static readonly Num MinusOne = new(BigRational.MinusOne);
    public static readonly Num Half = new(BigRational.Half);
    public static Num Of(long v) => new(new BigRational(v));
    protected override string BuildKey() => "N" + Value;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>Binary float (sympy Float with 15 significant digits).</summary>
internal sealed class Flt(double value) : Expr
{
    public double Value { get; } = value;
    protected override string BuildKey() => "F" + Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>A named symbol (already lower-cased by the parser where the reference does so).</summary>
internal sealed class Sym(string name) : Expr
{
    public string Name { get; } = name;
    protected override string BuildKey() => "S" + Name;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>Named constants.</summary>
internal enum ConstKind { Pi, E, I, Infinity, NegInfinity, ComplexInfinity, NaN }

/// <summary>A mathematical constant (π, e, i, ±∞, complex ∞, NaN).</summary>
internal sealed class Const(ConstKind kind) : Expr
{
    public ConstKind Kind { get; } = kind;
    public static readonly Const Pi = new(ConstKind.Pi);
    public static readonly Const E = new(ConstKind.E);
    public static readonly Const I = new(ConstKind.I);
    public static readonly Const Inf = new(ConstKind.Infinity);
    public static readonly Const NegInf = new(ConstKind.NegInfinity);
    public static readonly Const Zoo = new(ConstKind.ComplexInfinity);
    public static readonly Const NaN = new(ConstKind.NaN);
    protected override string BuildKey() => "C" + Kind;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>Sum of terms (flattened, like terms combined, sorted by key).</summary>
internal sealed class Add(Expr[] terms) : Expr
{
    public Expr[] Terms { get; } = terms;
    protected override string BuildKey() => "+(" + string.Join(",", Terms.Select(t => t.Key)) + ")";
    public override IReadOnlyList<Expr> Children => Terms;
}

/// <summary>Product of factors (flattened, powers combined, sorted by key; numeric coefficient first).</summary>
internal sealed class Mul(Expr[] factors) : Expr
{
    public Expr[] Factors { get; } = factors;

    protected override string BuildKey() => "*(" + string.Join(",", Factors.Select(t => t.Key)) + ")";
    public override IReadOnlyList<Expr> Children => Factors;
}

/// <summary>Power base^exponent.</summary>
internal sealed class Pow(Expr b, Expr e) : Expr
{
    public Expr Base { get; } = b;
    public Expr Exp { get; } = e;
    protected override string BuildKey() => "^(" + Base.Key + "," + Exp.Key + ")";
    public override IReadOnlyList<Expr> Children => [Base, Exp];
}

/// <summary>
/// Function application: known functions (sin, log, Abs, floor, factorial, Mod, Max, Sum, Integral, …) and
/// undefined functions such as <c>f(x)</c> (<see cref="Undefined"/>).
/// </summary>
internal sealed class Fn(string name, Expr[] args, bool undefined = false) : Expr
{
    public string Name { get; } = name;
    public Expr[] Args { get; } = args;
    public bool Undefined { get; } = undefined;
    protected override string BuildKey() => (Undefined ? "U" : "f") + Name + "(" + string.Join(",", Args.Select(a => a.Key)) + ")";
    public override IReadOnlyList<Expr> Children => Args;
}

/// <summary>A percentage <c>n × 1/100</c> kept unevaluated (the reference compares it as "percent of a number").</summary>
internal sealed class Pct(Expr inner) : Expr
{
    public Expr Inner { get; } = inner;
    protected override string BuildKey() => "%(" + Inner.Key + ")";
    public override IReadOnlyList<Expr> Children => [Inner];
}

/// <summary>A boolean value (result of <c>\subseteq</c>).</summary>
internal sealed class BoolVal(bool value) : Expr
{
    public bool Value { get; } = value;
    protected override string BuildKey() => Value ? "True" : "False";
    public override IReadOnlyList<Expr> Children => [];
}
