using System.Globalization;
using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>
/// <c>\gcd</c> / <c>\lcm</c> as the reference evaluates them: arguments are made exact (floats become their decimal
/// rationals, as sympy's nsimplify), rationals use gcd(a/b, c/d) = gcd(a, c)/lcm(b, d); monomials use the
/// polynomial rules over generators (integer content over ℤ, monic over ℚ; symbols, roots, π and sums are
/// generators), so irrational numbers have gcd 1 and lcm(π, 3) = 3π.
/// </summary>
internal static class GcdLcm
{
    public static Expr Compute(string name, List<Expr> args)
    {
        var exact = args.Select(Nsimplify).ToList();
        if (exact.All(a => a is Num))
        {
            var vals = exact.Select(a => ((Num)a).Value).ToList();
            var acc = vals[0].Abs();
            foreach (var v in vals.Skip(1)) acc = name == "gcd" ? Gcd(acc, v.Abs()) : Lcm(acc, v.Abs());
            return new Num(acc);
        }
        var monos = exact.Select(Monomial).ToList();
        if (monos.Any(m => m == null)) return new Fn(name, exact.ToArray());
        bool integral = monos.All(m => m!.Value.coeff.IsInteger);
        var coeff = BigRational.One;
        if (integral)
        {
            coeff = monos[0]!.Value.coeff.Abs();
            foreach (var m in monos.Skip(1)) coeff = name == "gcd" ? Gcd(coeff, m!.Value.coeff.Abs()) : Lcm(coeff, m!.Value.coeff.Abs());
            if (name == "lcm" && monos.Count(m => m!.Value.coeff.Sign < 0) % 2 == 1) coeff = -coeff;
        }
        var generators = monos.SelectMany(m => m!.Value.powers).GroupBy(kv => kv.Key).Select(g => g.First().Value.generator).ToList();
        var factors = new List<Expr> { new Num(coeff) };
        foreach (var g in generators)
        {
            var exps = monos.Select(m => m!.Value.powers.TryGetValue(g.Key, out var p) ? p.exp : 0).ToList();
            int e = name == "gcd" ? exps.Min() : exps.Max();
            if (e > 0) factors.Add(Ops.Pow(g, Num.Of(e)));
        }
        return Ops.Mul(factors.ToArray());
    }

    static Expr Nsimplify(Expr e) => e switch
    {
        Flt f => new Num(BigRational.ParseDecimal(f.Value.ToString("R", CultureInfo.InvariantCulture))),
        Add or Mul or Pow => Substitution.Apply(e, new Dictionary<string, Expr>()) is var r && Exact.TryRational(r, out var q) ? new Num(q) : ReplaceFloats(r),
        _ => e,
    };

    static Expr ReplaceFloats(Expr e) => e switch
    {
        Mul m => Ops.Mul(m.Factors.Select(Nsimplify).ToArray()),
        Add a => Ops.Add(a.Terms.Select(Nsimplify).ToArray()),
        _ => e,
    };

    /// <summary>
    /// A term as sympy's polynomial gcd sees it: a rational coefficient times powers of generators. Generators are
    /// symbols, constants (π), irrational roots (√5 = 5^(1/2), √x = x^(1/2)) and any other factor such as a sum, which
    /// is why gcd(x + 76, 4√x) = 1 and lcm(√5, √2) = √10. Null for negative powers.
    /// </summary>
    static (BigRational coeff, Dictionary<string, (Expr generator, int exp)> powers)? Monomial(Expr e)
    {
        var powers = new Dictionary<string, (Expr, int)>(StringComparer.Ordinal);
        var coeff = BigRational.One;
        void AddPower(Expr g, int k) => powers[g.Key] = (g, (powers.TryGetValue(g.Key, out var cur) ? cur.Item2 : 0) + k);
        foreach (var f in e is Mul m ? m.Factors : [e])
        {
            switch (f)
            {
                case Num n: coeff *= n.Value; break;
                case Pow { Exp: Num k } p when k.Value.Sign > 0 && k.Value.Num < 1000 && k.Value.Den < 1000:
                    AddPower(k.Value.IsInteger ? p.Base : Ops.Pow(p.Base, new Num(new BigRational(BigInteger.One, k.Value.Den))), (int)k.Value.Num);
                    break;
                case Pow { Exp: Num }: return null;
                case Flt: return null;
                default: AddPower(f, 1); break;
            }
        }
        return (coeff, powers);
    }

    static BigRational Gcd(BigRational a, BigRational b)
    {
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        var num = BigInteger.GreatestCommonDivisor(a.Num, b.Num);
        var den = a.Den / BigInteger.GreatestCommonDivisor(a.Den, b.Den) * b.Den;
        return new BigRational(num, den);
    }

    static BigRational Lcm(BigRational a, BigRational b)
    {
        if (a.IsZero || b.IsZero) return BigRational.Zero;
        var num = a.Num / BigInteger.GreatestCommonDivisor(a.Num, b.Num) * b.Num;
        var den = BigInteger.GreatestCommonDivisor(a.Den, b.Den);
        return new BigRational(num, den);
    }
}
