namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Arithmetic on the two number node types (exact <see cref="Num"/> and binary <see cref="Flt"/>).</summary>
internal static class NumberOps
{
    public static bool IsZero(Expr e) => e is Num n ? n.Value.IsZero : e is Flt f && f.Value == 0;
    public static bool IsOne(Expr e) => e is Num n ? n.Value.IsOne : e is Flt f && f.Value == 1;
    public static double ToDouble(Expr e) => e is Num n ? n.Value.ToDouble() : ((Flt)e).Value;

    public static Expr Add(Expr a, Expr b)
    {
        if (a is Num x && b is Num y) return new Num(x.Value + y.Value);
        return new Flt(ToDouble(a) + ToDouble(b));
    }

    public static Expr Mul(Expr a, Expr b)
    {
        if (a is Num x && b is Num y) return new Num(x.Value * y.Value);
        return new Flt(ToDouble(a) * ToDouble(b));
    }

    public static int Sign(Expr e) => e is Num n ? n.Value.Sign : Math.Sign(((Flt)e).Value);
}
