using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Thrown when an expression cannot be evaluated numerically (integrals, undefined functions, sets…).</summary>
internal sealed class NotEvaluableException(string message) : Exception(message);

/// <summary>Complex double-precision evaluation of expressions, with symbols bound by an environment.</summary>
internal static class Numeric
{
    static readonly IReadOnlyDictionary<string, Complex> Empty = new Dictionary<string, Complex>();

    /// <summary>Evaluates a closed expression to a real double; false when it has symbols, is complex or not evaluable.</summary>
    public static bool TryReal(Expr e, out double value)
    {
        value = double.NaN;
        try
        {
            var c = Eval(e, Empty);
            if (double.IsNaN(c.Real) || Math.Abs(c.Imaginary) > 1e-12 * Math.Max(1, Math.Abs(c.Real))) return false;
            value = c.Real;
            return true;
        }
        catch (Exception ex) when (ex is NotEvaluableException or ArithmeticException or OverflowException) { return false; }
    }

    /// <summary>Evaluates with the given symbol values; unbound symbols throw <see cref="NotEvaluableException"/>.</summary>
    public static Complex Eval(Expr e, IReadOnlyDictionary<string, Complex> env, int depth = 0)
    {
        ComputeGuard.Check();
        if (depth > 400) throw new NotEvaluableException("expression too deep");
        int d = depth + 1;
        switch (e)
        {
            case Num n: return n.Value.ToDouble();
            case Flt f: return f.Value;
            case Pct p: return Eval(p.Inner, env, d) / 100.0;
            case Sym s: return env.TryGetValue(s.Name, out var v) ? v : throw new NotEvaluableException("free symbol " + s.Name);
            case Const c:
                return c.Kind switch
                {
                    ConstKind.Pi => Math.PI, ConstKind.E => Math.E, ConstKind.I => Complex.ImaginaryOne,
                    ConstKind.Infinity => double.PositiveInfinity, ConstKind.NegInfinity => double.NegativeInfinity,
                    _ => throw new NotEvaluableException("complex infinity / nan"),
                };
            case Add a:
            {
                Complex acc = 0;
                foreach (var t in a.Terms) acc += Eval(t, env, d);
                return acc;
            }
            case Mul m:
            {
                Complex acc = 1;
                foreach (var t in m.Factors) acc *= Eval(t, env, d);
                return acc;
            }
            case Pow p: return EvalPow(p, env, d);
            case Fn f: return EvalFn(f, env, d);
        }
        throw new NotEvaluableException("not a scalar expression: " + e.GetType().Name);
    }

    static Complex EvalPow(Pow p, IReadOnlyDictionary<string, Complex> env, int d)
    {
        var b = Eval(p.Base, env, d);
        if (p.Exp is Num n && n.Value.IsInteger && BigInteger.Abs(n.Value.Num) < 1_000_000)
        {
            int k = (int)n.Value.Num;
            if (b.Imaginary == 0) return Math.Pow(b.Real, k);
            return Complex.Pow(b, k);
        }
        var e = Eval(p.Exp, env, d);
        if (b.Imaginary == 0 && e.Imaginary == 0 && (b.Real >= 0 || Math.Abs(e.Real - Math.Round(e.Real)) == 0)) return Math.Pow(b.Real, e.Real);
        if (b == Complex.Zero) return e.Real > 0 ? Complex.Zero : throw new NotEvaluableException("0 to a negative power");
        return Complex.Pow(b, e);
    }

    static Complex EvalFn(Fn f, IReadOnlyDictionary<string, Complex> env, int d)
    {
        if (f.Undefined) throw new NotEvaluableException("undefined function " + f.Name);
        switch (f.Name)
        {
            case "Sum" or "Product": return EvalSum(f, env, d);
            case "Integral" or "Limit" or "Derivative": throw new NotEvaluableException(f.Name);
        }
        var a = f.Args.Select(x => Eval(x, env, d)).ToArray();
        Complex x0 = a[0];
        return f.Name switch
        {
            "sin" => Complex.Sin(x0), "cos" => Complex.Cos(x0), "tan" => Complex.Tan(x0),
            "csc" => 1 / Complex.Sin(x0), "sec" => 1 / Complex.Cos(x0), "cot" => 1 / Complex.Tan(x0),
            "asin" => Complex.Asin(x0), "acos" => Complex.Acos(x0), "atan" => Complex.Atan(x0),
            "acsc" => Complex.Asin(1 / x0), "asec" => Complex.Acos(1 / x0), "acot" => Complex.Atan(1 / x0),
            "sinh" => Complex.Sinh(x0), "cosh" => Complex.Cosh(x0), "tanh" => Complex.Tanh(x0),
            "asinh" => Complex.Log(x0 + Complex.Sqrt(x0 * x0 + 1)),
            "acosh" => Complex.Log(x0 + Complex.Sqrt(x0 + 1) * Complex.Sqrt(x0 - 1)),
            "atanh" => 0.5 * (Complex.Log(1 + x0) - Complex.Log(1 - x0)),
            "log" => a.Length > 1 ? Complex.Log(x0) / Complex.Log(a[1]) : Complex.Log(x0),
            "Abs" => Complex.Abs(x0),
            "floor" => Math.Floor(RealOf(x0)),
            "ceiling" => Math.Ceiling(RealOf(x0)),
            "factorial" => Factorial(RealOf(x0)),
            "binomial" => Factorial(RealOf(x0)) / (Factorial(RealOf(a[1])) * Factorial(RealOf(x0) - RealOf(a[1]))),
            "Mod" => RealOf(x0) - RealOf(a[1]) * Math.Floor(RealOf(x0) / RealOf(a[1])),
            "Max" => a.Select(RealOf).Max(),
            "Min" => a.Select(RealOf).Min(),
            "sqrt" => Complex.Sqrt(x0),
            _ => throw new NotEvaluableException("unknown function " + f.Name),
        };
    }

    static double RealOf(Complex c) => Math.Abs(c.Imaginary) > 1e-12 * Math.Max(1, Math.Abs(c.Real)) ? throw new NotEvaluableException("complex argument") : c.Real;

    static double Factorial(double n)
    {
        if (n < 0 || n != Math.Floor(n)) throw new NotEvaluableException("factorial of a non-integer");
        if (n > 170) return double.PositiveInfinity;
        double r = 1;
        for (int i = 2; i <= (int)n; i++) r *= i;
        return r;
    }

    static Complex EvalSum(Fn f, IReadOnlyDictionary<string, Complex> env, int d)
    {
        // Sum(body, var, lo, hi) with small integer bounds only.
        if (f.Args.Length != 4 || f.Args[1] is not Sym v) throw new NotEvaluableException("sum shape");
        double lo = RealOf(Eval(f.Args[2], env, d)), hi = RealOf(Eval(f.Args[3], env, d));
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || hi - lo > 10000) throw new NotEvaluableException("sum too long");
        var inner = new Dictionary<string, Complex>(env);
        Complex acc = f.Name == "Sum" ? 0 : 1;
        for (double k = lo; k <= hi; k++)
        {
            inner[v.Name] = k;
            var t = Eval(f.Args[0], inner, d);
            acc = f.Name == "Sum" ? acc + t : acc * t;
        }
        return acc;
    }
}
