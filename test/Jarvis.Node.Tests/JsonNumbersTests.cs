using Jarvis.Node.Internal.Api;

namespace Jarvis.Node.Tests;

/// <summary>Every number the API writes reads back exactly in any JSON reader, JavaScript's included.</summary>
public sealed class JsonNumbersTests
{
    [Fact]
    public void Integers_within_2_to_the_53_are_numbers_and_beyond_are_decimal_strings_for_every_integer_type()
    {
        var failures = new List<string>();
        void Expect<T>(T value, string json) where T : System.Numerics.INumber<T>
        {
            var written = JsonNumbers.Render(value).ToJsonString();
            if (written != json)
            {
                failures.Add($"{typeof(T).Name} {value}: {written}, not {json}");
            }
        }

        Expect(0L, "0");
        Expect(-9007199254740991L, "-9007199254740991");
        Expect(9007199254740991L, "9007199254740991");
        Expect(9007199254740992L, "\"9007199254740992\"");
        Expect(-9007199254740992L, "\"-9007199254740992\"");
        Expect(long.MinValue, "\"-9223372036854775808\"");
        Expect(ulong.MaxValue, "\"18446744073709551615\"");
        Expect(UInt128.MaxValue, "\"340282366920938463463374607431768211455\"");
        Expect((UInt128)9007199254740991UL, "9007199254740991");
        Expect(Int128.MinValue, "\"-170141183460469231731687303715884105728\"");
        Expect((Int128)(-5), "-5");
        Expect(int.MaxValue, "2147483647");
        Assert.True(failures.Count == 0, "integers beyond ±(2^53 - 1) are strings, the rest numbers: " + string.Join("; ", failures));
    }

    [Fact]
    public void Finite_doubles_are_numbers_and_non_finite_ones_are_named_strings()
    {
        Assert.Equal("1.5", JsonNumbers.Render(1.5).ToJsonString());
        Assert.Equal("1.7E+308", JsonNumbers.Render(1.7e308).ToJsonString());
        Assert.Equal(1e300, double.Parse(JsonNumbers.Render(1e300).ToJsonString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-0", JsonNumbers.Render(-0.0).ToJsonString());
        Assert.Equal("\"Infinity\"", JsonNumbers.Render(double.PositiveInfinity).ToJsonString());
        Assert.Equal("\"-Infinity\"", JsonNumbers.Render(double.NegativeInfinity).ToJsonString());
        Assert.Equal("\"NaN\"", JsonNumbers.Render(double.NaN).ToJsonString());
    }
}
