using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

internal static partial class Ops
{
    public static Expr Pow(Expr b, Expr e)
    {
        ComputeGuard.Check();
        b = Unpct(b); e = Unpct(e);
        if (e is Num en && en.Value.IsZero) return Num.One;
        if (e is Num e1 && e1.Value.IsOne) return b;
        if (b is Num b1 && b1.Value.IsOne && !IsInfinite(e)) return Num.One;
        if (b is Matrix bm && e is Num me && me.Value.IsInteger) return MatrixOps.Power(bm, me.Value.Num);
        if (b is Num bn && e is Num ne) return PowRational(bn.Value, ne.Value);
        if (b.IsNumber && e.IsNumber)
        {
            double r = Math.Pow(NumberOps.ToDouble(b), NumberOps.ToDouble(e));
            if (double.IsFinite(r)) return new Flt(r);
            return new Pow(b, e);
        }
        if (b is Const c)
        {
            if (c.Kind == ConstKind.I && e is Num ie && ie.Value.IsInteger)
            {
                int k = (int)(((ie.Value.Num % 4) + 4) % 4);
                return k switch { 0 => Num.One, 1 => Const.I, 2 => Num.MinusOne, _ => Neg(Const.I) };
            }
            if (c.Kind == ConstKind.E && EulerIdentity(e) is { } ev) return ev;
            if (c.Kind == ConstKind.Infinity && e.IsNumber) return NumberOps.Sign(e) > 0 ? Const.Inf : Num.Zero;
        }
        if (b is Num z && z.Value.IsZero && e.IsNumber) return NumberOps.Sign(e) > 0 ? Num.Zero : Const.Zoo;
        if (b is Pow bp && e is Num ei && ei.Value.IsInteger) return Pow(bp.Base, Mul(bp.Exp, e));
        if (b is Mul bmul && e is Num ej && ej.Value.IsInteger) return Mul(bmul.Factors.Select(f => Pow(f, e)).ToArray());
        return new Pow(b, e);
    }

    /// <summary>e^(iπk) for rational k with denominator 1 or 2.</summary>
    static Expr? EulerIdentity(Expr e)
    {
        if (e is not Mul m) return null;
        var rest = m.Factors.ToList();
        BigRational k = BigRational.One;
        if (rest[0] is Num kn) { k = kn.Value; rest.RemoveAt(0); }
        if (rest.Count != 2 || !rest.Contains(Const.I) || !rest.Contains(Const.Pi)) return null;
        var twice = k * new BigRational(2);
        if (!twice.IsInteger) return null;
        int q = (int)(((twice.Num % 4) + 4) % 4);
        return q switch { 0 => Num.One, 1 => Const.I, 2 => Num.MinusOne, _ => Neg(Const.I) };
    }

    static Expr PowRational(BigRational b, BigRational e)
    {
        if (b.IsZero) return e.Sign > 0 ? Num.Zero : Const.Zoo;
        if (e.IsInteger)
        {
            var n = e.Num;
            long bits = Math.Max(b.Num.GetBitLength(), b.Den.GetBitLength());
            if (bits > 1 && BigInteger.Abs(n) * bits > MaxExactBits) return new Pow(new Num(b), new Num(e));
            int k = (int)BigInteger.Abs(n);
            var r = new BigRational(BigInteger.Pow(b.Num, k), BigInteger.Pow(b.Den, k));
            return new Num(n.Sign >= 0 ? r : BigRational.One / r);
        }
        if (b.Sign < 0)
        {
            // (-4)^(1/2) = 2i; other negative bases keep the principal branch unevaluated.
            if (e.Den == 2) return Mul(Pow(Const.I, new Num(new BigRational(e.Num))), PowRational(-b, e));
            return new Pow(new Num(b), new Num(e));
        }
        // b^(p/q) = b^floor * b^(r/q)
        var whole = e.Floor();
        var frac = e - new BigRational(whole);
        Expr intPart = PowRational(b, new BigRational(whole));
        if (intPart is Pow) return new Pow(new Num(b), new Num(e));
        var q = frac.Den; var p = frac.Num;
        var (outNum, inNum) = ExtractRoot(b.Num, q);
        var (outDen, inDen) = ExtractRoot(b.Den, q);
        Expr coeff = Mul(intPart, Rat(BigInteger.Pow(outNum, (int)p), BigInteger.Pow(outDen, (int)p)));
        var factors = new List<Expr> { coeff };
        if (!inNum.IsOne) factors.Add(new Pow(new Num(new BigRational(inNum)), new Num(frac)));
        if (!inDen.IsOne) factors.Add(new Pow(new Num(new BigRational(inDen)), new Num(-frac)));
        if (factors.Count == 1) return coeff;
        return MulNoPowMerge(factors);
    }

    static Expr MulNoPowMerge(List<Expr> factors)
    {
        var coeff = factors[0];
        var rest = factors.Skip(1).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        if (coeff is Num c && c.Value.IsOne) return rest.Count == 1 ? rest[0] : new Mul(rest.ToArray());
        return new Mul([coeff, .. rest]);
    }

    /// <summary>Writes n = out^q * in, pulling out perfect q-th powers (exact root, then small primes).</summary>
    static (BigInteger outer, BigInteger inner) ExtractRoot(BigInteger n, BigInteger q)
    {
        if (n.IsOne || q > 64) return (BigInteger.One, n);
        int qi = (int)q;
        var root = IntRoot(n, qi);
        if (BigInteger.Pow(root, qi) == n) return (root, BigInteger.One);
        BigInteger outer = BigInteger.One, inner = n;
        for (int pr = 2; pr < 2000 && pr <= inner; pr++)
        {
            var pq = BigInteger.Pow(pr, qi);
            if (pq > inner) { if ((long)pr * pr > 1_000_000) break; continue; }
            while (inner % pq == 0) { inner /= pq; outer *= pr; }
        }
        return (outer, inner);
    }

    /// <summary>Integer floor of the q-th root (Newton).</summary>
    public static BigInteger IntRoot(BigInteger n, int q)
    {
        if (n.Sign <= 0) return BigInteger.Zero;
        if (q == 1) return n;
        long bits = (long)n.GetBitLength();
        var x = BigInteger.One << (int)(bits / q + 1);
        while (true)
        {
            ComputeGuard.Check();
            var y = ((q - 1) * x + n / BigInteger.Pow(x, q - 1)) / q;
            if (y >= x) break;
            x = y;
        }
        while (BigInteger.Pow(x + 1, q) <= n) x += 1;
        while (BigInteger.Pow(x, q) > n) x -= 1;
        return x;
    }
}
