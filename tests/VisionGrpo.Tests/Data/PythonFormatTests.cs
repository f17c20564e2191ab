using System.Globalization;
using VisionGrpo.Data.Splits;

namespace VisionGrpo.Tests.Data;

public class PythonFormatTests
{
    // Expected strings are Python's repr(float(x)).
    [Theory]
    [InlineData("1e-05", "1e-05")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00012345", "0.00012345")]
    [InlineData("1e16", "1e+16")]
    [InlineData("1.5e16", "1.5e+16")]
    [InlineData("9999999999999998", "9999999999999998.0")]
    [InlineData("123456789012345680", "1.2345678901234568e+17")]
    [InlineData("0.1", "0.1")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    [InlineData("100", "100.0")]
    [InlineData("1e22", "1e+22")]
    [InlineData("-2.5e-07", "-2.5e-07")]
    [InlineData("1.2", "1.2")]
    public void Floats_print_like_python_repr(string value, string expected) =>
        Assert.Equal(expected, PythonFormat.Float(double.Parse(value, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("1_000", 1000)]
    [InlineData("-5", -5)]
    [InlineData("007", 7)]
    public void Ints_parse_like_python_int(string text, long expected) =>
        Assert.Equal(expected, (long)PythonFormat.ParseInt(text));

    [Theory]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("-")]
    public void Invalid_int_literals_are_rejected(string text) =>
        Assert.Throws<FormatException>(() => PythonFormat.ParseInt(text));
}
