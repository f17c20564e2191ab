using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Matrix arithmetic: sums, products (scalar and matrix), integer powers, transpose, determinant.</summary>
internal static class MatrixOps
{
    public static Expr AddAll(List<Expr> terms)
    {
        Matrix? acc = null;
        var scalars = new List<Expr>();
        foreach (var t in terms)
        {
            if (t is Matrix m) acc = acc == null ? m : Elementwise(acc, m, (a, b) => Ops.Add(a, b));
            else scalars.Add(t);
        }
        // sympy refuses Matrix + scalar; keep it as an unevaluated sum so comparisons fail instead of crashing.
        if (scalars.Count > 0) return new Add([acc!, .. scalars]);
        return acc!;
    }

    public static Expr MulAll(List<Expr> factors)
    {
        Expr scalar = Num.One;
        Matrix? acc = null;
        foreach (var f in factors)
        {
            if (f is Matrix m) acc = acc == null ? m : Product(acc, m);
            else scalar = Ops.Mul(scalar, f);
        }
        if (scalar is Num one && one.Value.IsOne) return acc!;
        return Map(acc!, x => Ops.Mul(scalar, x));
    }

    static Matrix Elementwise(Matrix a, Matrix b, Func<Expr, Expr, Expr> f)
    {
        if (a.RowCount != b.RowCount || a.ColCount != b.ColCount) throw new ArithmeticException("matrix shapes differ");
        return new Matrix(a.Rows.Select((r, i) => r.Select((x, j) => f(x, b.Rows[i][j])).ToArray()).ToArray());
    }

    public static Matrix Map(Matrix a, Func<Expr, Expr> f) => new(a.Rows.Select(r => r.Select(f).ToArray()).ToArray());

    public static Matrix Product(Matrix a, Matrix b)
    {
        if (a.ColCount != b.RowCount) throw new ArithmeticException("matrix shapes do not match for a product");
        var rows = new Expr[a.RowCount][];
        for (int i = 0; i < a.RowCount; i++)
        {
            rows[i] = new Expr[b.ColCount];
            for (int j = 0; j < b.ColCount; j++)
                rows[i][j] = Ops.Add(Enumerable.Range(0, a.ColCount).Select(k => Ops.Mul(a.Rows[i][k], b.Rows[k][j])).ToArray());
        }
        return new Matrix(rows);
    }

    public static Expr Power(Matrix m, BigInteger n)
    {
        if (n < 0 || n > 64 || m.RowCount != m.ColCount) return new Pow(m, new Num(new BigRational(n)));
        Matrix r = Identity(m.RowCount);
        for (int i = 0; i < (int)n; i++) r = Product(r, m);
        return r;
    }

    static Matrix Identity(int n) => new(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Select(j => (Expr)(i == j ? Num.One : Num.Zero)).ToArray()).ToArray());

    public static Matrix Transpose(Matrix m) => new(Enumerable.Range(0, m.ColCount).Select(j => m.Rows.Select(r => r[j]).ToArray()).ToArray());

    /// <summary>Determinant by cofactor expansion for small matrices; larger ones are refused (the reference can hang on them).</summary>
    public static Expr Det(Matrix m)
    {
        if (m.RowCount != m.ColCount) throw new ArithmeticException("determinant of a non-square matrix");
        if (m.RowCount > 6) throw new ArithmeticException("determinant too large to expand");
        return DetRec(m.Rows);
    }

    static Expr DetRec(Expr[][] a)
    {
        ComputeGuard.Check();
        int n = a.Length;
        if (n == 1) return a[0][0];
        if (n == 2) return Ops.Sub(Ops.Mul(a[0][0], a[1][1]), Ops.Mul(a[0][1], a[1][0]));
        var terms = new List<Expr>();
        for (int j = 0; j < n; j++)
        {
            var minor = a.Skip(1).Select(r => r.Where((_, c) => c != j).ToArray()).ToArray();
            var t = Ops.Mul(a[0][j], DetRec(minor));
            terms.Add(j % 2 == 0 ? t : Ops.Neg(t));
        }
        return Ops.Add(terms.ToArray());
    }
}
