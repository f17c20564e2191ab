using System.Globalization;
using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>
/// <c>\gcd</c> / <c>\lcm</c> as the reference evaluates them: arguments are made exact (floats become their decimal
/// rationals, as sympy's nsimplify), rationals use gcd(a/b, c/d) = gcd(a, c)/lcm(b, d); monomials use the
/// polynomial rules (integer content over ℤ, monic over ℚ); irrational numbers have gcd 1.
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
        if (monos.Any(m => m == null))
        {
            if (name == "gcd" && exact.All(a => Free.Symbols(a).Count == 0)) return Num.One;
            return new Fn(name, exact.ToArray());
        }
        bool integral = monos.All(m => m!.Value.coeff.IsInteger);
        var coeff = BigRational.One;
        if (integral)
        {
            coeff = monos[0]!.Value.coeff.Abs();
            foreach (var m in monos.Skip(1)) coeff = name == "gcd" ? Gcd(coeff, m!.Value.coeff.Abs()) : Lcm(coeff, m!.Value.coeff.Abs());
            if (name == "lcm" && monos.Count(m => m!.Value.coeff.Sign < 0) % 2 == 1) coeff = -coeff;
        }
        var names = monos.SelectMany(m => m!.Value.powers.Keys).Distinct().ToList();
        var factors = new List<Expr> { new Num(coeff) };
        foreach (var n in names)
        {
            var exps = monos.Select(m => m!.Value.powers.TryGetValue(n, out var e) ? e : 0).ToList();
            int e = name == "gcd" ? exps.Min() : exps.Max();
            if (e > 0) factors.Add(Ops.Pow(new Sym(n), Num.Of(e)));
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

    static (BigRational coeff, Dictionary<string, int> powers)? Monomial(Expr e)
    {
        var powers = new Dictionary<string, int>(StringComparer.Ordinal);
        var coeff = BigRational.One;
        var factors = e is Mul m ? m.Factors : [e];
        foreach (var f in factors)
        {
            switch (f)
            {
                case Num n: coeff *= n.Value; break;
                case Sym s: powers[s.Name] = powers.GetValueOrDefault(s.Name) + 1; break;
                case Pow { Base: Sym s2, Exp: Num k } when k.Value.IsInteger && k.Value.Sign > 0 && k.Value.Num < 1000:
                    powers[s2.Name] = powers.GetValueOrDefault(s2.Name) + (int)k.Value.Num; break;
                default: return null;
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
