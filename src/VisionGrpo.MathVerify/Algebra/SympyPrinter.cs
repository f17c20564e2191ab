using System.Globalization;
using System.Text;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Prints values the way sympy's <c>str()</c> does (close enough for answers and symbol comparison).</summary>
internal static class SympyPrinter
{
    public static string Print(Expr e) => Print(e, 0);

    /// <summary>sympy Float printing: 15 significant digits, exponent form outside [1e-4, 1e16).</summary>
    public static string PrintFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "oo" : "-oo";
        if (v == 0) return "0.0";
        double a = Math.Abs(v);
        if (a >= 1e16 || a < 1e-4)
        {
            var s = v.ToString("0.00000000000000e+0", CultureInfo.InvariantCulture);
            int ei = s.IndexOf('e');
            string mant = s[..ei], exp = s[(ei + 1)..];
            if (!exp.StartsWith('-') && !exp.StartsWith('+')) exp = "+" + exp;
            return mant + "e" + exp;
        }
        int intDigits = a >= 1 ? (int)Math.Floor(Math.Log10(a)) + 1 : 0;
        int decimals = Math.Max(1, 15 - Math.Max(intDigits, 1) + (a < 1 ? 1 - LeadingZeros(a) : 0));
        if (a < 1) decimals = 15 + LeadingZeros(a);
        return v.ToString("F" + Math.Min(decimals, 30), CultureInfo.InvariantCulture);
    }

    static int LeadingZeros(double a) => a >= 1 ? 0 : (int)Math.Floor(-Math.Log10(a));

    static int Prec(Expr e) => e switch
    {
        Add => 1,
        Mul => 2,
        Num n when !n.Value.IsInteger => 2,
        Num n when n.Value.Sign < 0 => 1,
        Flt f when f.Value < 0 => 1,
        Pow => 3,
        _ => 4,
    };

    static string Wrap(Expr e, int level) => Prec(e) < level ? "(" + Print(e, 0) + ")" : Print(e, 0);

    static string Print(Expr e, int depth)
    {
        if (depth > 200) return "...";
        switch (e)
        {
            case Num n: return n.Value.ToString();
            case Flt f: return PrintFloat(f.Value);
            case Sym s: return s.Name;
            case Const c:
                return c.Kind switch
                {
                    ConstKind.Pi => "pi", ConstKind.E => "E", ConstKind.I => "I", ConstKind.Infinity => "oo",
                    ConstKind.NegInfinity => "-oo", ConstKind.ComplexInfinity => "zoo", _ => "nan",
                };
            case Pct p: return Wrap(p.Inner, 2) + "/100";
            case Add a: return PrintAdd(a);
            case Mul m: return PrintMul(m);
            case Pow p: return PrintPow(p);
            case Fn f: return f.Name + "(" + string.Join(", ", f.Args.Select(x => Print(x, depth + 1))) + ")";
            case Rel r: return PrintRel(r);
            case AndRel ar: return "And(" + string.Join(", ", ar.Parts.Select(x => PrintRel(x))) + ")";
            case NotRel nr: return "Not(" + Print(nr.Inner) + ")";
            case FSet fs: return fs.Items.Length == 0 ? "EmptySet" : "{" + string.Join(", ", fs.Items.Select(x => Print(x))) + "}";
            case Tup t: return "(" + string.Join(", ", t.Items.Select(x => Print(x))) + (t.Items.Length == 1 ? ",)" : ")");
            case Interval iv:
                string kind = iv.LeftOpen && iv.RightOpen ? ".open" : iv.LeftOpen ? ".Lopen" : iv.RightOpen ? ".Ropen" : "";
                return $"Interval{kind}({Print(iv.Lo)}, {Print(iv.Hi)})";
            case SetOp so: return so.Kind + "(" + string.Join(", ", so.Args.Select(x => Print(x))) + ")";
            case NamedSet ns: return ns.Name;
            case Matrix mx: return "Matrix([" + string.Join(", ", mx.Rows.Select(r => "[" + string.Join(", ", r.Select(x => Print(x))) + "]")) + "])";
            case BoolVal b: return b.Value ? "True" : "False";
        }
        return e.GetType().Name;
    }

    static string PrintRel(Rel r)
    {
        string op = r.Op switch { RelOp.Lt => "<", RelOp.Le => "<=", RelOp.Gt => ">", RelOp.Ge => ">=", _ => "" };
        if (r.Op == RelOp.Eq) return $"Eq({Print(r.Lhs)}, {Print(r.Rhs)})";
        if (r.Op == RelOp.Ne) return $"Ne({Print(r.Lhs)}, {Print(r.Rhs)})";
        return $"{Print(r.Lhs)} {op} {Print(r.Rhs)}";
    }

    static string PrintAdd(Add a)
    {
        // sympy puts the numeric term last for polynomial-looking sums.
        var terms = a.Terms.Where(t => !t.IsNumber).Concat(a.Terms.Where(t => t.IsNumber)).ToList();
        var sb = new StringBuilder();
        for (int i = 0; i < terms.Count; i++)
        {
            var s = Print(terms[i]);
            if (i == 0) sb.Append(s);
            else if (s.StartsWith('-')) sb.Append(" - ").Append(s[1..]);
            else sb.Append(" + ").Append(s);
        }
        return sb.ToString();
    }

    static string PrintMul(Mul m)
    {
        var factors = m.Factors.ToList();
        string sign = "";
        if (factors[0] is Num c && c.Value.Sign < 0)
        {
            sign = "-";
            var abs = c.Value.Abs();
            if (abs.IsOne) factors.RemoveAt(0); else factors[0] = new Num(abs);
        }
        var num = new List<string>();
        var den = new List<string>();
        foreach (var f in factors)
        {
            if (f is Num r && !r.Value.IsInteger)
            {
                if (!r.Value.Num.IsOne) num.Add(r.Value.Num.ToString());
                den.Add(r.Value.Den.ToString());
            }
            else if (f is Pow p && p.Exp is Num en && en.Value.Sign < 0)
            {
                var inv = Ops.Pow(p.Base, new Num(-en.Value));
                den.Add(Wrap(inv, 3));
            }
            else num.Add(Wrap(f, 2));
        }
        string top = num.Count == 0 ? "1" : string.Join("*", num);
        if (den.Count == 0) return sign + top;
        string bottom = den.Count == 1 ? den[0] : "(" + string.Join("*", den) + ")";
        return sign + top + "/" + bottom;
    }

    static string PrintPow(Pow p)
    {
        if (p.Exp is Num e && e.Value == BigRational.Half) return "sqrt(" + Print(p.Base) + ")";
        if (p.Exp is Num e2 && e2.Value == -BigRational.Half) return "1/sqrt(" + Print(p.Base) + ")";
        if (p.Exp is Num e3 && e3.Value == BigRational.MinusOne) return "1/" + Wrap(p.Base, 3);
        if (p.Base is Const { Kind: ConstKind.E }) return "exp(" + Print(p.Exp) + ")";
        string exp = p.Exp is Num en && !en.Value.IsInteger || Prec(p.Exp) < 4 ? "(" + Print(p.Exp) + ")" : Print(p.Exp);
        return Wrap(p.Base, 4) + "**" + exp;
    }
}
