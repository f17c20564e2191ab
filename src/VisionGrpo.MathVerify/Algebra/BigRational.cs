using System.Globalization;
using System.Numerics;

namespace VisionGrpo.MathVerify.Algebra;

/// <summary>An exact rational number p/q (q &gt; 0, reduced), the exact-number type of the CAS.</summary>
internal readonly struct BigRational : IEquatable<BigRational>, IComparable<BigRational>
{
    public BigInteger Num { get; }
    public BigInteger Den { get; }

    public BigRational(BigInteger num, BigInteger den)
    {
        if (den.IsZero) throw new DivideByZeroException("rational with zero denominator");
        if (den.Sign < 0) { num = -num; den = -den; }
        var g = BigInteger.GreatestCommonDivisor(num, den);
        if (!g.IsOne && !g.IsZero) { num /= g; den /= g; }
        Num = num;
        Den = num.IsZero ? BigInteger.One : den;
    }

    public BigRational(BigInteger value) { Num = value; Den = BigInteger.One; }

    public static readonly BigRational Zero = new(BigInteger.Zero);
    public static readonly BigRational One = new(BigInteger.One);
    public static readonly BigRational MinusOne = new(BigInteger.MinusOne);
    public static readonly BigRational Half = new(1, 2);
    public static readonly BigRational Hundredth = new(1, 100);

    public bool IsInteger => Den.IsOne;
    public bool IsZero => Num.IsZero;
    public bool IsOne => Num.IsOne && Den.IsOne;
    public int Sign => Num.Sign;

    public static BigRational operator +(BigRational a, BigRational b) => new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);
    public static BigRational operator -(BigRational a, BigRational b) => new(a.Num * b.Den - b.Num * a.Den, a.Den * b.Den);
    public static BigRational operator *(BigRational a, BigRational b) => new(a.Num * b.Num, a.Den * b.Den);
    public static BigRational operator /(BigRational a, BigRational b) => new(a.Num * b.Den, a.Den * b.Num);
    public static BigRational operator -(BigRational a) => new(-a.Num, a.Den);
    public static bool operator ==(BigRational a, BigRational b) => a.Equals(b);
    public static bool operator !=(BigRational a, BigRational b) => !a.Equals(b);
    public static bool operator <(BigRational a, BigRational b) => a.CompareTo(b) < 0;
    public static bool operator >(BigRational a, BigRational b) => a.CompareTo(b) > 0;
    public static bool operator <=(BigRational a, BigRational b) => a.CompareTo(b) <= 0;
    public static bool operator >=(BigRational a, BigRational b) => a.CompareTo(b) >= 0;

    public BigRational Abs() => new(BigInteger.Abs(Num), Den);

    public int CompareTo(BigRational other) => (Num * other.Den).CompareTo(other.Num * Den);
    public bool Equals(BigRational other) => Num == other.Num && Den == other.Den;
    public override bool Equals(object? obj) => obj is BigRational r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(Num, Den);

    /// <summary>Floor division (towards −∞), as Python's <c>//</c>.</summary>
    public BigInteger Floor()
    {
        var q = BigInteger.DivRem(Num, Den, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }

    public BigInteger Ceiling() => -(-this).Floor();

    public double ToDouble()
    {
        if (Den.IsOne) return (double)Num;
        // Scale so that both parts fit a double even for huge numerators/denominators.
        long shift = (long)Num.GetBitLength() - (long)Den.GetBitLength();
        if (Math.Abs(shift) < 900 && Num.GetBitLength() < 1000 && Den.GetBitLength() < 1000) return (double)Num / (double)Den;
        int s = (int)Math.Clamp(shift - 60, -1100, 1100);
        var n = s >= 0 ? Num : Num << -s;
        var d = s >= 0 ? Den << s : Den;
        double q = (double)(n / d);
        return q * Math.Pow(2, s);
    }

    /// <summary>The exact value of a finite double (binary expansion).</summary>
    public static BigRational FromDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new ArithmeticException("non-finite float");
        if (value == 0) return Zero;
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool neg = bits < 0;
        int exp = (int)((bits >> 52) & 0x7FF);
        long man = bits & 0xFFFFFFFFFFFFFL;
        if (exp == 0) exp++; else man |= 1L << 52;
        exp -= 1075;
        BigInteger m = man;
        var r = exp >= 0 ? new BigRational(m << exp) : new BigRational(m, BigInteger.One << -exp);
        return neg ? -r : r;
    }

    /// <summary>Parses "123", "-1.25", "1.5E3" exactly.</summary>
    public static BigRational ParseDecimal(string text)
    {
        text = text.Trim();
        int e = text.IndexOfAny(['e', 'E']);
        int exponent = 0;
        if (e >= 0) { exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture); text = text[..e]; }
        bool neg = text.StartsWith('-');
        if (neg || text.StartsWith('+')) text = text[1..];
        int dot = text.IndexOf('.');
        string digits = dot < 0 ? text : text[..dot] + text[(dot + 1)..];
        if (dot >= 0) exponent -= text.Length - dot - 1;
        if (digits.Length == 0) digits = "0";
        var n = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (neg) n = -n;
        if (Math.Abs(exponent) > 100000) throw new ArithmeticException("exponent too large");
        return exponent >= 0 ? new BigRational(n * BigInteger.Pow(10, exponent)) : new BigRational(n, BigInteger.Pow(10, -exponent));
    }

    /// <summary>The nearest integer, ties to even.</summary>
    public BigInteger RoundHalfEven()
    {
        var fl = Floor();
        int c = (this - new BigRational(fl)).CompareTo(Half);
        return c > 0 || (c == 0 && !fl.IsEven) ? fl + 1 : fl;
    }

    /// <summary>
    /// The nearest value with a <paramref name="bits"/>-bit mantissa (ties to even): what an mpmath / sympy Float of
    /// that binary precision holds.
    /// </summary>
    public BigRational RoundToBits(int bits)
    {
        if (IsZero) return this;
        var a = Abs();
        long e = (long)a.Num.GetBitLength() - (long)a.Den.GetBitLength() - bits;
        if (a >= Pow2(e + bits)) e++;
        else if (a < Pow2(e + bits - 1)) e--;
        var m = (a / Pow2(e)).RoundHalfEven();
        var r = new BigRational(m) * Pow2(e);
        return Sign < 0 ? -r : r;
    }

    static BigRational Pow2(long e) => e >= 0 ? new BigRational(BigInteger.One << (int)e) : new BigRational(BigInteger.One, BigInteger.One << (int)-e);

    public override string ToString() => Den.IsOne ? Num.ToString(CultureInfo.InvariantCulture) : $"{Num}/{Den}";
}
