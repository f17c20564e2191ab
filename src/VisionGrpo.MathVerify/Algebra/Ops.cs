using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>
/// Builders with sympy-like automatic simplification: numbers fold, sums combine like terms, products combine
/// equal bases, integer powers of rationals evaluate (with a size cap so towers such as <c>9^{9^{9^9}}</c> stay
/// unevaluated), perfect roots are extracted.
/// </summary>
internal static partial class Ops
{
    /// <summary>Largest exact power result (in bits) that is evaluated; bigger ones stay symbolic.</summary>
    public const long MaxExactBits = 1 << 16;

    public static Expr Int(long v) => Num.Of(v);
    public static Expr Rat(BigInteger p, BigInteger q) => new Num(new BigRational(p, q));
    public static Expr Neg(Expr a) => Mul(Num.MinusOne, a);
    public static Expr Sub(Expr a, Expr b) => Add(a, Neg(b));
    public static Expr Div(Expr a, Expr b) => Mul(a, Pow(b, Num.MinusOne));
    public static Expr Sqrt(Expr a) => Pow(a, Num.Half);

    static Expr Unpct(Expr e) => e is Pct p ? Mul(p.Inner, new Num(BigRational.Hundredth)) : e;

    /// <summary>Arguments with percentages evaluated and nested sums (or products) spliced in.</summary>
    static List<Expr> Flatten(Expr[] args, Func<Expr, Expr[]?> children)
    {
        var flat = new List<Expr>(args.Length);
        foreach (var a0 in args)
        {
            var a = Unpct(a0);
            if (children(a) is { } inner) flat.AddRange(inner); else flat.Add(a);
        }
        return flat;
    }

    static bool IsInfinite(Expr e) => e is Const c && c.Kind is ConstKind.Infinity or ConstKind.NegInfinity or ConstKind.ComplexInfinity or ConstKind.NaN;

    public static Expr Add(params Expr[] args)
    {
        ComputeGuard.Check();
        var flat = Flatten(args, e => (e as Add)?.Terms);
        if (flat.Any(f => f is Matrix)) return MatrixOps.AddAll(flat);
        Expr number = Num.Zero;
        var infs = new List<ConstKind>();
        var order = new List<string>();
        var coeffs = new Dictionary<string, (Expr rest, Expr coeff)>(StringComparer.Ordinal);
        foreach (var t in flat)
        {
            if (t.IsNumber) { number = NumberOps.Add(number, t); continue; }
            if (IsInfinite(t)) { infs.Add(((Const)t).Kind); continue; }
            var (c, rest) = SplitCoefficient(t);
            if (coeffs.TryGetValue(rest.Key, out var cur)) coeffs[rest.Key] = (rest, NumberOps.Add(cur.coeff, c));
            else { coeffs[rest.Key] = (rest, c); order.Add(rest.Key); }
        }
        if (infs.Count > 0)
        {
            if (infs.Contains(ConstKind.NaN) || infs.Contains(ConstKind.ComplexInfinity) && infs.Count > 1) return Const.NaN;
            if (infs.Contains(ConstKind.Infinity) && infs.Contains(ConstKind.NegInfinity)) return Const.NaN;
            if (coeffs.Count == 0) return infs[0] switch { ConstKind.Infinity => Const.Inf, ConstKind.NegInfinity => Const.NegInf, _ => Const.Zoo };
        }
        var terms = new List<Expr>();
        foreach (var k in order)
        {
            var (rest, c) = coeffs[k];
            if (NumberOps.IsZero(c) && c is Num) continue;
            terms.Add(NumberOps.IsOne(c) && c is Num ? rest : MulRaw(c, rest));
        }
        foreach (var i in infs) terms.Add(i == ConstKind.Infinity ? Const.Inf : i == ConstKind.NegInfinity ? Const.NegInf : Const.Zoo);
        terms.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        bool keepNumber = !(number is Num nz && nz.Value.IsZero);
        if (terms.Count == 0) return number;
        if (keepNumber) terms.Insert(0, number);
        return terms.Count == 1 ? terms[0] : new Add(terms.ToArray());
    }

    /// <summary>Splits <c>3*x*y</c> into (3, x*y).</summary>
    public static (Expr coeff, Expr rest) SplitCoefficient(Expr t)
    {
        if (t is Mul m && m.Factors[0].IsNumber)
        {
            var rest = m.Factors.Length == 2 ? m.Factors[1] : new Mul(m.Factors[1..]);
            return (m.Factors[0], rest);
        }
        return (Num.One, t);
    }

    /// <summary>Coefficient times a non-number expression without re-simplifying the expression.</summary>
    static Expr MulRaw(Expr c, Expr rest)
    {
        if (rest is Mul m) return new Mul([c, .. m.Factors]);
        return new Mul([c, rest]);
    }

    public static Expr Mul(params Expr[] args)
    {
        ComputeGuard.Check();
        var flat = Flatten(args, e => (e as Mul)?.Factors);
        if (flat.Any(f => f is Matrix)) return MatrixOps.MulAll(flat);
        Expr coeff = Num.One;
        var bases = new Dictionary<string, (Expr b, List<Expr> exps)>(StringComparer.Ordinal);
        var order = new List<string>();
        int infSign = 0; bool zoo = false;
        foreach (var f in flat)
        {
            if (f.IsNumber) { coeff = NumberOps.Mul(coeff, f); continue; }
            if (f is Const c && c.Kind is ConstKind.Infinity or ConstKind.NegInfinity) { infSign = infSign == 0 ? 1 : infSign; if (c.Kind == ConstKind.NegInfinity) infSign = -infSign; continue; }
            if (f is Const c2 && c2.Kind is ConstKind.ComplexInfinity or ConstKind.NaN) { if (c2.Kind == ConstKind.NaN) return Const.NaN; zoo = true; continue; }
            var (b, e) = f is Pow p ? (p.Base, p.Exp) : (f, (Expr)Num.One);
            if (bases.TryGetValue(b.Key, out var cur)) cur.exps.Add(e);
            else { bases[b.Key] = (b, [e]); order.Add(b.Key); }
        }
        if (zoo) return NumberOps.IsZero(coeff) ? Const.NaN : Const.Zoo;
        if (infSign != 0)
        {
            if (NumberOps.IsZero(coeff)) return Const.NaN;
            if (bases.Count == 0) return infSign * NumberOps.Sign(coeff) > 0 ? Const.Inf : Const.NegInf;
        }
        if (NumberOps.IsZero(coeff) && coeff is Num) return Num.Zero;
        var factors = new List<Expr>();
        foreach (var k in order)
        {
            var (b, exps) = bases[k];
            var e = exps.Count == 1 ? exps[0] : Add([.. exps]);
            var p = exps.Count == 1 && b is not Num ? PowNoMerge(b, e) : Pow(b, e);
            if (p.IsNumber) coeff = NumberOps.Mul(coeff, p);
            else if (p is Mul pm) foreach (var x in pm.Factors) { if (x.IsNumber) coeff = NumberOps.Mul(coeff, x); else factors.Add(x); }
            else if (!(p is Num one && one.Value.IsOne)) factors.Add(p);
        }
        if (infSign != 0) factors.Add(infSign > 0 ? Const.Inf : Const.NegInf);
        if (NumberOps.IsZero(coeff) && coeff is Num) return Num.Zero;
        factors.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        if (factors.Count == 0) return coeff;
        // sympy distributes a rational coefficient over a single sum: 2*(x + 1) → 2*x + 2.
        if (factors.Count == 1 && factors[0] is Add sum && coeff is Num && !NumberOps.IsOne(coeff))
            return Add(sum.Terms.Select(t => Mul(coeff, t)).ToArray());
        if (NumberOps.IsOne(coeff) && coeff is Num) return factors.Count == 1 ? factors[0] : new Mul(factors.ToArray());
        return new Mul([coeff, .. factors]);
    }

    /// <summary>A power whose base came from a single factor (avoids re-running numeric root extraction on the same node).</summary>
    static Expr PowNoMerge(Expr b, Expr e) => NumberOps.IsOne(e) && e is Num ? b : Pow(b, e);
}
