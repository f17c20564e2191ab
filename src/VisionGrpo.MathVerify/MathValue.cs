using VisionGrpo.MathVerify.Algebra;

namespace VisionGrpo.MathVerify;

/// <summary>A parsed mathematical value (number, expression, set, relation, matrix…) returned by <see cref="MathVerifier.Parse"/>.</summary>
public sealed class MathValue
{
    internal MathValue(Expr expr) { Expr = expr; }

    internal Expr Expr { get; }

    /// <summary>The value printed like sympy's <c>str()</c> (e.g. <c>1/2</c>, <c>sqrt(2)</c>, <c>Interval(0, 1)</c>).</summary>
    public override string ToString() => SympyPrinter.Print(Expr);
}
