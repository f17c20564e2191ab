using System.Numerics;
using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>
/// Numeric and symbolic equality: float rounding when a Float is involved, exact equality for exact numbers,
/// and "simplify(a − b) == 0" implemented as exact evaluation plus randomized complex evaluation.
/// </summary>
internal static class NumericEquality
{
    static bool IsNumberOrPct(Expr e, bool floatOnly) =>
        (floatOnly ? e is Flt : e.IsNumber) || e is Pct p && (floatOnly ? p.Inner is Flt : p.Inner.IsNumber);

    public static bool NumericEq(Expr a, Expr b, int floatRounding)
    {
        if (a is Matrix ma && b is Matrix mb)
        {
            if (ma.RowCount != mb.RowCount || ma.ColCount != mb.ColCount) return false;
            for (int i = 0; i < ma.RowCount; i++)
                for (int j = 0; j < ma.ColCount; j++)
                    if (!NumericEq(ma.Rows[i][j], mb.Rows[i][j], floatRounding)) return false;
            return true;
        }
        if (a is Matrix || b is Matrix) return false;
        if (IsNumberOrPct(a, false) || IsNumberOrPct(b, false))
        {
            if (IsNumberOrPct(a, true) || IsNumberOrPct(b, true)) return RoundedEqual(a, b, floatRounding);
            // Exact numbers: evaluated values must be identical.
            if (Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y)) return x == y;
            return ClosedFormEqual(a, b);
        }
        return ClosedFormEqual(a, b);
    }

    static bool RoundedEqual(Expr a, Expr b, int digits)
    {
        if (!TryRationalApprox(a, out var x) || !TryRationalApprox(b, out var y)) return false;
        return x.RoundDecimals(digits) == y.RoundDecimals(digits);
    }

    /// <summary>Exact rational value, or the exact value of the double approximation (floats, irrationals).</summary>
    static bool TryRationalApprox(Expr e, out BigRational value)
    {
        if (Exact.TryRational(e, out value)) return true;
        if (e is Flt f && double.IsFinite(f.Value)) { value = BigRational.FromDouble(f.Value); return true; }
        if (e is Pct { Inner: Flt pf } && double.IsFinite(pf.Value)) { value = BigRational.FromDouble(pf.Value) * BigRational.Hundredth; return true; }
        if (Numeric.TryReal(e, out var d) && double.IsFinite(d)) { value = BigRational.FromDouble(d); return true; }
        return false;
    }

    /// <summary>Both sides closed (no free symbols): equal when their difference evaluates to 0 at 15 digits.</summary>
    static bool ClosedFormEqual(Expr a, Expr b)
    {
        if (Free.Symbols(a).Count > 0 || Free.Symbols(b).Count > 0) return false;
        if (Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y)) return x == y;
        try
        {
            var va = Numeric.Eval(a, Env.Empty);
            var vb = Numeric.Eval(b, Env.Empty);
            return Close(va, vb, 1e-13);
        }
        catch (Exception ex) when (ex is NotEvaluableException or ArithmeticException) { return false; }
    }

    static bool Close(Complex a, Complex b, double rel)
    {
        if (double.IsNaN(a.Real) || double.IsNaN(b.Real) || double.IsInfinity(a.Real) || double.IsInfinity(b.Real)) return false;
        double scale = Math.Max(1e-300, Math.Max(Complex.Abs(a), Complex.Abs(b)));
        return Complex.Abs(a - b) <= rel * Math.Max(scale, 1e-30) || Complex.Abs(a - b) < 1e-300;
    }

    /// <summary>simplify(a − b) == 0: structural / exact first, then evaluation at random points (fixed seed).</summary>
    public static bool SymbolicEq(Expr a, Expr b)
    {
        if (a is Matrix ma && b is Matrix mb)
        {
            if (ma.RowCount != mb.RowCount || ma.ColCount != mb.ColCount) return false;
            for (int i = 0; i < ma.RowCount; i++)
                for (int j = 0; j < ma.ColCount; j++)
                    if (!SymbolicEq(ma.Rows[i][j], mb.Rows[i][j])) return false;
            return true;
        }
        if (a is Matrix || b is Matrix) return false;
        if (!IsScalar(a) || !IsScalar(b)) return false;
        var diff = Ops.Sub(a, b);
        if (diff is Num z && z.Value.IsZero) return true;
        var syms = Free.Symbols(a).Concat(Free.Symbols(b)).Select(s => s.Name).Distinct().ToList();
        var rng = new Random(12345);
        int ok = 0;
        for (int trial = 0; trial < 6; trial++)
        {
            var env = new Dictionary<string, Complex>();
            foreach (var s in syms) env[s] = 0.35 + rng.NextDouble() * 2.1;
            try
            {
                var va = Numeric.Eval(a, env);
                var vb = Numeric.Eval(b, env);
                if (!Close(va, vb, 1e-9)) return false;
                ok++;
            }
            catch (Exception ex) when (ex is NotEvaluableException or ArithmeticException or OverflowException) { return false; }
            if (syms.Count == 0) break;
        }
        return ok > 0;
    }

    static bool IsScalar(Expr e) => e is Num or Flt or Sym or Const or Add or Mul or Pow or Fn or Pct;

    /// <summary>An empty environment.</summary>
    static class Env { public static readonly IReadOnlyDictionary<string, Complex> Empty = new Dictionary<string, Complex>(); }
}
