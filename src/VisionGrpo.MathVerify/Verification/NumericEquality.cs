using System.Numerics;
using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify.Verification;

/// <summary>
/// Numeric and symbolic equality: float rounding when a Float is involved, exact equality for exact numbers,
/// and "simplify(a − b) == 0" implemented as exact evaluation plus randomized complex evaluation.
/// </summary>
internal static class NumericEquality
{
    /// <summary><c>is_atomic_or_pct_atomic</c>: a number as written (not one the parser computed), or a percentage of one.</summary>
    static bool IsNumberOrPct(Expr e, bool floatOnly) =>
        (floatOnly ? e is Flt : e.IsNumber && e is not Num { Computed: true }) || e is Pct p && (floatOnly ? p.Inner is Flt : p.Inner.IsNumber);

    /// <summary>
    /// <c>(a - b).evalf(chop=True, n=15) == 0</c>: mpmath chops a result below 2^(4 - 53) to zero, an absolute
    /// threshold (so \frac{1}{20!} equals \frac{1}{21!} in the reference).
    /// </summary>
    static readonly double ChopThreshold = Math.Pow(2, -49);

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
            if (IsNumberOrPct(a, true) || IsNumberOrPct(b, true)) return SympyRound.Equal(a, b, floatRounding);
            // safe_sympy_doit(a) == safe_sympy_doit(b): exact values must be identical; a side that evaluates to a
            // Float or an irrational never equals an exact number under sympy's ==.
            return !SympyRound.HasFloat(a) && !SympyRound.HasFloat(b)
                && Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y) && x == y;
        }
        return ClosedFormEqual(a, b);
    }

    /// <summary>Both sides closed (no free symbols): equal when their difference evaluates to 0 at 15 digits.</summary>
    static bool ClosedFormEqual(Expr a, Expr b)
    {
        if (Free.Symbols(a).Count > 0 || Free.Symbols(b).Count > 0) return false;
        if (Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y))
            return x == y || (x - y).Abs() < BigRational.FromDouble(ChopThreshold);
        try
        {
            var va = Numeric.Eval(a, Env.Empty);
            var vb = Numeric.Eval(b, Env.Empty);
            return Close(va, vb, 1e-13) || Complex.Abs(va - vb) < ChopThreshold;
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
        if (Free.Symbols(a).Count == 0 && Free.Symbols(b).Count == 0)
        {
            // A closed difference is zero exactly, not within a tolerance: exact numbers compare exactly, and with
            // Floats sympy's 53-bit arithmetic (= doubles) must cancel to 0 (60200 vs 6.02·10⁴ does not).
            if (Exact.TryRational(a, out var x) && Exact.TryRational(b, out var y)) return x == y;
            if (SympyRound.HasFloat(a) || SympyRound.HasFloat(b))
            {
                try { return Numeric.Eval(a, Env.Empty) == Numeric.Eval(b, Env.Empty); }
                catch (Exception ex) when (ex is NotEvaluableException or ArithmeticException or OverflowException) { return false; }
            }
        }
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
