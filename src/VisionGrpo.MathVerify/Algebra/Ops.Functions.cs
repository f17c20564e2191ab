using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

internal static partial class Ops
{
    /// <summary>Builds a known function, evaluating it on numbers where the reference would.</summary>
    public static Expr Fn(string name, params Expr[] args)
    {
        ComputeGuard.Check();
        args = args.Select(Unpct).ToArray();
        switch (name)
        {
            case "Abs" when args[0].IsNumber:
                return NumberOps.Sign(args[0]) < 0 ? Neg(args[0]) : args[0];
            case "Abs" when args[0] is Const { Kind: ConstKind.Pi or ConstKind.E or ConstKind.Infinity }:
                return args[0];
            case "floor" or "ceiling" when args[0].IsNumber:
                return FloorCeil(name, args[0]);
            case "floor" or "ceiling" when Numeric.TryReal(args[0], out double v) && double.IsFinite(v) && Math.Abs(v - Math.Round(v)) > 1e-9:
                return new Num(new BigRational(new BigInteger(name == "floor" ? Math.Floor(v) : Math.Ceiling(v))));
            case "Mod":
                return Mod(args[0], args[1]);
            case "Max" or "Min":
                return MaxMin(name, args);
            case "binomial" when args[0] is Num n && args[1] is Num k && n.Value.IsInteger && k.Value.IsInteger && n.Value.Num < 100000:
                return new Num(new BigRational(Binomial(n.Value.Num, k.Value.Num)));
            case "exp":
                return Pow(Const.E, args[0]);
        }
        return new Fn(name, args);
    }

    static Expr FloorCeil(string name, Expr x)
    {
        var r = x is Num n ? n.Value : BigRational.FromDouble(((Flt)x).Value);
        return new Num(new BigRational(name == "floor" ? r.Floor() : r.Ceiling()));
    }

    static Expr Mod(Expr a, Expr b)
    {
        if (a is Num an && b is Num bn)
        {
            if (bn.Value.IsZero) return Const.NaN;
            var q = (an.Value / bn.Value).Floor();
            return new Num(an.Value - bn.Value * new BigRational(q));
        }
        if (a.IsNumber && b.IsNumber)
        {
            double x = NumberOps.ToDouble(a), y = NumberOps.ToDouble(b);
            if (y == 0) return Const.NaN;
            return new Flt(x - y * Math.Floor(x / y));
        }
        if (Numeric.TryReal(a, out double av) && Numeric.TryReal(b, out double bv) && bv != 0 && double.IsFinite(av / bv))
        {
            double ratio = av / bv;
            double fl = Math.Floor(ratio);
            if (Math.Abs(ratio - Math.Round(ratio)) > 1e-9) return Sub(a, Mul(new Num(new BigRational(new BigInteger(fl))), b));
        }
        return new Fn("Mod", [a, b]);
    }

    static Expr MaxMin(string name, Expr[] args)
    {
        var vals = new List<(Expr e, double v)>();
        foreach (var a in args)
        {
            if (!Numeric.TryReal(a, out double v)) return new Fn(name, args.OrderBy(x => x.Key, StringComparer.Ordinal).ToArray());
            vals.Add((a, v));
        }
        var best = vals[0];
        foreach (var x in vals.Skip(1)) if (name == "Max" ? x.v > best.v : x.v < best.v) best = x;
        return best.e;
    }

    public static BigInteger Binomial(BigInteger n, BigInteger k)
    {
        if (k < 0 || n < 0 || k > n) return BigInteger.Zero;
        if (k > n - k) k = n - k;
        BigInteger r = BigInteger.One;
        for (BigInteger i = 1; i <= k; i++) { ComputeGuard.Check(); r = r * (n - k + i) / i; }
        return r;
    }

    /// <summary>Transposes a matrix; other values are returned unchanged (as the reference's try/except).</summary>
    public static Expr Transpose(Expr e) => e is Matrix m ? MatrixOps.Transpose(m) : e;
}
