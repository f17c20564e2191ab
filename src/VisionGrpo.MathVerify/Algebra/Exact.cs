using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Exact evaluation to a rational where possible (factorials, floors, mods… of rationals).</summary>
internal static class Exact
{
    public static bool TryRational(Expr e, out BigRational value, int depth = 0)
    {
        value = BigRational.Zero;
        ComputeGuard.Check();
        if (depth > 300) return false;
        int d = depth + 1;
        switch (e)
        {
            case Num n: value = n.Value; return true;
            case Pct p:
                if (!TryRational(p.Inner, out var pv, d)) return false;
                value = pv * BigRational.Hundredth; return true;
            case Add a:
            {
                var acc = BigRational.Zero;
                foreach (var t in a.Terms) { if (!TryRational(t, out var tv, d)) return false; acc += tv; }
                value = acc; return true;
            }
            case Mul m:
            {
                var acc = BigRational.One;
                foreach (var t in m.Factors) { if (!TryRational(t, out var tv, d)) return false; acc *= tv; }
                value = acc; return true;
            }
            case Pow p when p.Exp is Num en && en.Value.IsInteger:
            {
                if (!TryRational(p.Base, out var b, d)) return false;
                var r = Ops.Pow(new Num(b), en);
                if (r is not Num rn) return false;
                value = rn.Value; return true;
            }
            case Fn f when !f.Undefined:
                return TryFn(f, out value, d);
        }
        return false;
    }

    static bool TryFn(Fn f, out BigRational value, int d)
    {
        value = BigRational.Zero;
        var args = new BigRational[f.Args.Length];
        for (int i = 0; i < args.Length; i++) if (!TryRational(f.Args[i], out args[i], d)) return false;
        switch (f.Name)
        {
            case "factorial":
                if (!args[0].IsInteger || args[0].Sign < 0 || args[0].Num > 3000) return false;
                BigInteger r = BigInteger.One;
                for (int i = 2; i <= (int)args[0].Num; i++) r *= i;
                value = new BigRational(r); return true;
            case "Abs": value = args[0].Abs(); return true;
            case "floor": value = new BigRational(args[0].Floor()); return true;
            case "ceiling": value = new BigRational(args[0].Ceiling()); return true;
            case "Mod":
                if (args[1].IsZero) return false;
                value = args[0] - args[1] * new BigRational((args[0] / args[1]).Floor()); return true;
            case "Max": value = args.Max(); return true;
            case "Min": value = args.Min(); return true;
            case "binomial":
                if (!args[0].IsInteger || !args[1].IsInteger || args[0].Num > 100000) return false;
                value = new BigRational(Ops.Binomial(args[0].Num, args[1].Num)); return true;
        }
        return false;
    }
}
