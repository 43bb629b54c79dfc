using System.Reflection;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>The wire and disk format: golden bytes, frozen tags, and the rejection of malformed input.</summary>
public sealed class EncodingTests
{
    /// <summary>
    /// The encodings of <see cref="SampleStates"/>' golden states, computed once and frozen: a change to the
    /// format must change these on purpose, with a new <see cref="CrdtEncoding.FormatVersion"/>.
    /// </summary>
    private static readonly Dictionary<string, string> GoldenHex = new()
    {
        ["GCounter"] = "010102010302AC02",
        ["PNCounter"] = "0102010105010202",
        ["BoundedCounter"] = "010301010A01010201010203",
        ["LWWRegister<string>"] = "01040180F8A5F9C1320201026869",
        ["LWWRegister<double>"] = "01040180F8A5F9C1320002000000000000F8BF",
        ["MVRegister<int>"] = "0105020101000201000200010E010101",
        ["EWFlag"] = "010601010100010001",
        ["DWFlag"] = "01070201010002010002000101010100",
        ["GSet<string>"] = "01080201610162",
        ["TwoPhaseSet<string>"] = "01090201610162010161",
        ["ORSet<string>"] = "010A02010001000003010002020101000101010401020179017A",
        ["RWSet<string>"] = "010B0101020002017801000101017901000200",
        ["ORMap<string,ORSet<string>>"] = "010C0201010002010002016A010101010101020179016B010101010001020178",
        ["ORMap<string,ORMap<string,MVRegister<int>>>"] = "010C0101010001016101016201000154",
        ["LWWMap<string,int>"] = "010D02016180F8A5F9C13200010102016280F8A5F9C132010200",
        ["FugueText"] = "010E02010C00020100050100010162043A0C01000B0C0101010105040006060001656C6C6F2C2120776F726C6400",
        ["FugueList<string>"] = "010F020102000201000300000101720104010101010104706C616E056275696C64047368697000",
        ["Ballot<string>"] = "01140001010301020201030102000379657302026E6F",
        ["TimeSeries"] = "011102010100020100E0D403020001E0D40302FFFFFFFFFFFFFFFFFF0102010001000000000000F83F000000000000F83F000000000000F83FD00F01000000000000F83F0102E0C80700000000000010400101E0D40302FFFFFFFFFFFFFFFFFF010100010190B90700000000000000C0",
        ["Workflow"] = "01120201010002010002000101770301770178017903000100020102010001010101770301770178017903000100020102010002",
        ["WorkflowPlan"] = "011302010100020100020001017002017800017901000100000301010101700201780001790100020000030101000102",
        ["ORMap<string,TimeSeries>"] = "010C010103000203637075E807010001E80702FFFFFFFFFFFFFFFFFF0102010001000000000000F0BF000000000000F0BF000000000000F0BFE80702000000000000F0BF0101B8170000000000000440036D656DE0D403010003E0D403FFFFFFFFFFFFFFFFFF01FFFFFFFFFFFFFFFFFF0101000101A01F0000000000002040",
        ["ORGraph<string>"] = "01100101060002017801000101000206706572736F6E000179010003000103616765010006013701017801056B6E6F77730101790100040101770100050132",
    };

    /// <summary>The numbers written to disk for each type. Renumbering breaks every stored state.</summary>
    private static readonly Dictionary<string, int> FrozenTypeCodes = new()
    {
        ["None"] = 0,
        ["GCounter"] = 1,
        ["PNCounter"] = 2,
        ["BoundedCounter"] = 3,
        ["LWWRegister"] = 4,
        ["MVRegister"] = 5,
        ["EWFlag"] = 6,
        ["DWFlag"] = 7,
        ["GSet"] = 8,
        ["TwoPhaseSet"] = 9,
        ["ORSet"] = 10,
        ["RWSet"] = 11,
        ["ORMap"] = 12,
        ["LWWMap"] = 13,
        ["FugueText"] = 14,
        ["FugueList"] = 15,
        ["Graph"] = 16,
        ["TimeSeries"] = 17,
        ["Workflow"] = 18,
        ["WorkflowPlan"] = 19,
        ["Ballot"] = 20,
    };

    public static TheoryData<string> TypeNames => [.. SampleStates.All.Select(t => t.Name)];

    [Fact]
    public void Golden_states_encode_to_their_frozen_bytes()
    {
        var failures = new List<string>();
        foreach (var type in SampleStates.All)
        {
            if (!GoldenHex.TryGetValue(type.Name, out var frozen))
            {
                failures.Add($"{type.Name}: no frozen encoding; add it to GoldenHex");
                continue;
            }
            var actual = Convert.ToHexString(type.Golden);
            if (actual != frozen)
            {
                failures.Add($"{type.Name}: frozen {frozen}, now {actual}");
            }
        }
        Assert.True(failures.Count == 0, "the encoding of a fixed state never changes without a new format version:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Frozen_bytes_decode_and_encode_back_to_themselves()
    {
        var failures = new List<string>();
        foreach (var type in SampleStates.All)
        {
            var frozen = GoldenHex[type.Name];
            var again = Convert.ToHexString(type.RoundTrip(Convert.FromHexString(frozen)));
            if (again != frozen)
            {
                failures.Add($"{type.Name}: {frozen} re-encodes as {again}");
            }
        }
        Assert.True(failures.Count == 0, "bytes written by earlier builds decode to the same state:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Every_CrdtTypeCode_keeps_its_frozen_number()
    {
        var failures = new List<string>();
        foreach (var (name, number) in FrozenTypeCodes)
        {
            if (!Enum.TryParse<CrdtTypeCode>(name, out var code))
            {
                failures.Add($"{name} ({number}) was removed");
            }
            else if ((int)code != number)
            {
                failures.Add($"{name} was {number}, now {(int)code}");
            }
        }
        foreach (var name in Enum.GetNames<CrdtTypeCode>().Where(n => !FrozenTypeCodes.ContainsKey(n)))
        {
            failures.Add($"{name} is new: freeze it here with a number never used before");
        }
        Rule.Equal(1, (int)CrdtEncoding.FormatVersion, "the format version is frozen at 1 until the format changes");
        Assert.True(failures.Count == 0, "type codes written to disk never change:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(0xFF)]
    public void Decoding_rejects_an_unknown_format_version(byte version)
    {
        var bytes = Convert.FromHexString(GoldenHex["GCounter"]);
        bytes[0] = version;

        AssertRejected<GCounter>(bytes, "an unknown format version is rejected");
    }

    [Fact]
    public void Decoding_rejects_bytes_of_another_type()
    {
        var failures = new List<string>();
        foreach (var source in SampleStates.All)
        {
            foreach (var target in SampleStates.All.Where(t => t.TypeCode != source.TypeCode))
            {
                var outcome = Outcome(() => target.RoundTrip(source.Golden));
                if (outcome is not null)
                {
                    failures.Add($"{source.Name} bytes decoded as {target.Name}: {outcome}");
                }
            }
        }
        Assert.True(failures.Count == 0, "bytes of one type are rejected as another:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Decoding_rejects_an_unknown_type_code()
    {
        AssertRejected<GCounter>(Convert.FromHexString("01" + "0E" + "00"), "a type code no type has is rejected");
        AssertRejected<GCounter>(Convert.FromHexString("01" + "00" + "00"), "type code None is rejected");
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Decoding_rejects_trailing_bytes(string typeName)
    {
        var type = SampleStates.All.Single(t => t.Name == typeName);
        var failures = new List<string>();
        foreach (var sample in type.Samples)
        {
            foreach (var tail in new byte[][] { [0x00], [0x01, 0x02], sample })
            {
                var outcome = Outcome(() => type.RoundTrip([.. sample, .. tail]));
                if (outcome is not null)
                {
                    failures.Add($"{Convert.ToHexString(sample)} + {Convert.ToHexString(tail)}: {outcome}");
                }
            }
        }
        Assert.True(failures.Count == 0, "trailing bytes after a valid encoding are rejected with CrdtDecodeException:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Decoding_rejects_every_truncation_of_a_valid_encoding(string typeName)
    {
        var type = SampleStates.All.Single(t => t.Name == typeName);
        var failures = new List<string>();
        foreach (var sample in type.Samples)
        {
            for (var length = 0; length < sample.Length; length++)
            {
                var outcome = Outcome(() => type.RoundTrip(sample[..length]));
                if (outcome is not null)
                {
                    failures.Add($"{Convert.ToHexString(sample)} cut to {length} bytes: {outcome}");
                }
            }
        }
        Assert.True(failures.Count == 0, "every strict prefix of a valid encoding is rejected with CrdtDecodeException:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("GSet<string>", "0108" + "8080808008" + "016101620163")]   // count 2^31
    [InlineData("GSet<string>", "0108" + "FFFFFFFF07" + "016101620163")]   // count int.MaxValue
    [InlineData("GSet<string>", "0108" + "FFFFFFFFFFFFFFFFFF01" + "0161")] // count 2^64 - 1
    [InlineData("GSet<string>", "0108" + "01" + "8080808008" + "6162")]    // string length 2^31
    [InlineData("GCounter", "0101" + "8080808008" + "0101")]
    [InlineData("BoundedCounter", "0103" + "00" + "00" + "FFFFFFFF07" + "010203")]
    [InlineData("ORSet<string>", "010A" + "8080808008" + "010100")]        // context replica count
    [InlineData("ORSet<string>", "010A" + "01" + "01" + "01" + "FFFFFFFF07" + "0000")] // context range count
    [InlineData("ORSet<string>", "010A" + "01010100" + "FFFFFFFF07" + "0161")]          // map key count
    [InlineData("ORSet<string>", "010A" + "01010100" + "01" + "01FFFFFFFF07" + "0100" + "0102" + "0161")] // dots per element
    [InlineData("MVRegister<int>", "0105" + "01010100" + "8080808008" + "000102")]
    [InlineData("LWWMap<string,int>", "010D" + "8080808008" + "01610000")]
    public void Decoding_a_forged_huge_count_is_rejected_without_a_large_allocation(string typeName, string hex)
    {
        var type = SampleStates.All.Single(t => t.Name == typeName);
        var bytes = Convert.FromHexString(hex);
        type.RoundTrip(Convert.FromHexString(GoldenHex[typeName])); // JIT and static set-up are not the decoder's allocations.

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = Outcome(() => type.RoundTrip(bytes));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(outcome is null, $"a count larger than the remaining bytes can hold is rejected with CrdtDecodeException: {outcome}");
        Assert.True(allocated < 1_000_000, $"a forged count never drives an allocation: {allocated} bytes allocated");
    }

    [Theory]
    [InlineData("01" + "8100" + "01" + "0105")]   // type code 1 written in two bytes
    [InlineData("0101" + "8100" + "0105")]        // count 1 written in two bytes
    [InlineData("0101" + "01" + "8100" + "05")]   // replica 1 written in two bytes
    [InlineData("0101" + "01" + "01" + "858000")] // value 5 written in three bytes
    [InlineData("0101" + "01" + "01" + "FFFFFFFFFFFFFFFFFF02")]    // a varint past 64 bits
    [InlineData("0101" + "01" + "01" + "8080808080808080808001")]  // an eleven-byte varint
    public void Decoding_rejects_non_minimal_and_overlong_varints(string hex)
    {
        Rule.Equal(5UL, CrdtEncoding.Decode<GCounter>(Convert.FromHexString("0101010105")).Value, "the minimal form decodes");

        AssertRejected<GCounter>(Convert.FromHexString(hex), "a varint must be minimal and fit in 64 bits");
    }

    [Fact]
    public void Decoding_rejects_unsorted_set_elements() =>
        AssertRejected<GSet<string>>(Convert.FromHexString("0108" + "02" + "0162" + "0161"), "set elements must be in ascending order");

    [Fact]
    public void Decoding_rejects_duplicate_elements_keys_and_replicas()
    {
        AssertRejected<GSet<string>>(Convert.FromHexString("0108" + "02" + "0161" + "0161"), "a set element appears once");
        AssertRejected<TwoPhaseSet<string>>(Convert.FromHexString("0109" + "02" + "0161" + "0161" + "00"), "a two-phase set element appears once");
        AssertRejected<GCounter>(Convert.FromHexString("0101" + "02" + "0105" + "0106"), "a counter has one entry per replica");
        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "01010200" + "02" + "0161010001" + "0161010002"), "an ORSet key appears once");
        AssertRejected<LWWMap<string, int>>(Convert.FromHexString("010D" + "02" + "0161" + "0100" + "01" + "01" + "02" + "0161" + "0200" + "01" + "01" + "04"), "an LWWMap key appears once");
        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "02" + "010100" + "010100" + "00"), "a context has one entry per replica");
        AssertRejected<BoundedCounter>(Convert.FromHexString("0103" + "01010A" + "00" + "02" + "010201" + "010201"), "a transfer pair appears once");
    }

    [Fact]
    public void Decoding_rejects_a_dot_its_context_has_not_seen()
    {
        // ORSet stores are columns: element count, dots-per-element runs, replica runs, counter-delta runs, keys.
        Rule.Equal(1, CrdtEncoding.Decode<ORSet<string>>(Convert.FromHexString("010A" + "01010100" + "01" + "0101" + "0100" + "0102" + "0161")).Count, "the well-formed state decodes");

        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "01010100" + "01" + "0101" + "0100" + "0104" + "0161"), "a stored dot past the context's counter is rejected");
        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "01010100" + "01" + "0101" + "0101" + "0102" + "0161"), "a stored dot naming a replica the context lacks is rejected");
        AssertRejected<MVRegister<int>>(Convert.FromHexString("0105" + "01010100" + "01" + "0002" + "02"), "a register entry the context has not seen is rejected");
        AssertRejected<EWFlag>(Convert.FromHexString("0106" + "00" + "01" + "0001"), "a dot under an empty context is rejected");
    }

    // Regression: a forged store holding one dot under two keys once decoded and broke convergence (the
    // join's shortcut assumes a dot names one write).
    [Fact]
    public void Decoding_rejects_a_dot_held_under_two_keys()
    {
        AssertRejected<ORSet<string>>(
            // Two elements, one dot each, both replica #0, counters +1 then +0: the same dot (#0, 1) twice.
            Convert.FromHexString("010A" + "01010100" + "02" + "0201" + "0200" + "0102" + "0100" + "0161" + "0162"),
            "a dot names one write, so it is held under one key only");
    }

    // Regression: a forged state with negative rights once decoded; Value then threw OverflowException.
    [Theory]
    [InlineData("0103" + "00" + "010105" + "00")]               // A decremented 5 with no increments
    [InlineData("0103" + "010101" + "00" + "01" + "010205")]    // A incremented 1 but transferred 5 to B
    public void Decoding_rejects_a_bounded_counter_with_negative_rights(string hex)
    {
        AssertRejected<BoundedCounter>(Convert.FromHexString(hex), "a bounded counter state in which a replica has spent more rights than it held is malformed");
    }

    [Theory]
    [InlineData("FF")]          // never valid in UTF-8
    [InlineData("C080")]        // overlong encoding of U+0000
    [InlineData("EDA080")]      // a UTF-16 surrogate
    [InlineData("C3")]          // a sequence cut short
    [InlineData("F4908080")]    // past U+10FFFF
    public void Decoding_rejects_invalid_UTF8_in_strings(string utf8)
    {
        var length = (utf8.Length / 2).ToString("X2");

        AssertRejected<GSet<string>>(Convert.FromHexString("0108" + "01" + length + utf8), "strings must be valid UTF-8");
    }

    [Fact]
    public void Decoding_rejects_other_non_canonical_values()
    {
        AssertRejected<LWWRegister<double>>(Convert.FromHexString("0104" + "01" + "0100" + "01" + "000000000000F87F"), "NaN is never stored");
        AssertRejected<LWWRegister<double>>(Convert.FromHexString("0104" + "01" + "0100" + "01" + "0000000000000080"), "negative zero is written as zero");
        AssertRejected<LWWRegister<string>>(Convert.FromHexString("0104" + "02"), "a register tag is 0 or 1");
        AssertRejected<DWFlag>(Convert.FromHexString("0107" + "01010100" + "01" + "0001" + "02"), "a boolean byte is 0 or 1");
        AssertRejected<GCounter>(Convert.FromHexString("0101" + "01" + "00" + "05"), "replica id zero is never written");
        AssertRejected<GCounter>(Convert.FromHexString("0101" + "01" + "01" + "00"), "a zero count is never written");
        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "01" + "01" + "00" + "00" + "00"), "an empty context entry is never written");
        AssertRejected<ORSet<string>>(Convert.FromHexString("010A" + "01010100" + "01" + "0161" + "00"), "a key with no dots is never written");
        AssertRejected<BoundedCounter>(Convert.FromHexString("0103" + "01010A" + "00" + "01" + "010101"), "a transfer from a replica to itself is never written");
        AssertRejected<MVRegister<int>>(Convert.FromHexString("0105" + "01010200" + "02" + "000202" + "000104"), "register entries are in ascending dot order");
        AssertRejected<MVRegister<int>>(Convert.FromHexString("0105" + "01010100" + "01" + "0001" + "FEFFFFFF1F"), "an Int32 value must fit in 32 bits");
    }

    // Regression, found by the law kit's near-canonical encodings: a text run whose flags took the previous
    // run's origin right when that run had none decoded, so one text state had two encodings.
    [Fact]
    public void Decoding_rejects_a_sequence_run_taking_an_origin_right_the_previous_run_lacks()
    {
        // Context {3003: 1..4}; runs: flags 00, replica #0, counter 1, length 2; then flags 61 (deleted, same
        // replica, continuing), length 2; the live text "ct"; no pending runs.
        var canonical = Convert.FromHexString("010E" + "0183600400" + "02" + "0000" + "01" + "02" + "61" + "02" + "6374" + "00");
        Rule.Equal(Convert.ToHexString(canonical), Convert.ToHexString(CrdtEncoding.Encode(CrdtEncoding.Decode<FugueText>(canonical))), "the canonical bytes decode and encode back");

        // The second run's flags 0x61 with right mode 1 (the previous run's origin right) set: 0x69.
        AssertRejected<FugueText>(Convert.FromHexString("010E" + "0183600400" + "02" + "0000" + "01" + "02" + "69" + "02" + "6374" + "00"), "a run takes the previous run's origin right only when there is one");
    }

    [Fact]
    public void The_reader_bounds_nesting_depth()
    {
        var reader = new CrdtReader([], maxDepth: 3);
        for (var i = 0; i < 3; i++)
        {
            reader.Enter();
        }
        Assert.True(EnterFails(ref reader), "entering past the bound throws CrdtDecodeException");

        reader.Leave();
        reader.Leave();
        reader.Enter();
        Assert.True(EnterFails(ref reader), "leaving frees a level, and the bound still holds after re-entering");

        var defaultReader = new CrdtReader([]);
        for (var i = 0; i < CrdtReader.DefaultMaxDepth; i++)
        {
            defaultReader.Enter();
        }
        Assert.True(EnterFails(ref defaultReader), $"the default bound is {CrdtReader.DefaultMaxDepth} levels");
    }

    [Fact]
    public void Hand_built_nested_maps_decode_within_the_depth_bound_and_are_rejected_past_it()
    {
        // ORMap<string, ORMap<string, ORSet<string>>>: context {1:1}, then "a" -> "b" -> "x" -> dot (#0, 1): three maps deep.
        var bytes = Convert.FromHexString("010C" + "01010100" + "01" + "0161" + "01" + "0162" + "01" + "0101" + "0100" + "0102" + "0178");
        var expected = new ORMap<string, ORMap<string, ORSet<string>>>();
        expected.Update("a", inner => inner.Update("b", set => set.Add(Replicas.A, "x")));
        Rule.Equal(Convert.ToHexString(expected.ToBytes()), Convert.ToHexString(bytes), "the hand-built bytes are what the encoder writes");

        var deepEnough = new CrdtReader(bytes, maxDepth: 3);
        CrdtEncoding.Decode<ORMap<string, ORMap<string, ORSet<string>>>>(ref deepEnough);
        Assert.True(deepEnough.IsAtEnd, "three levels decode under a bound of three");

        var tooShallow = new CrdtReader(bytes, maxDepth: 2);
        CrdtDecodeException? rejected = null;
        try
        {
            CrdtEncoding.Decode<ORMap<string, ORMap<string, ORSet<string>>>>(ref tooShallow);
        }
        catch (CrdtDecodeException e)
        {
            rejected = e;
        }
        Assert.True(rejected is not null, "three levels are rejected under a bound of two");
    }

    [Fact]
    public void Maps_nested_past_the_default_depth_are_rejected()
    {
        // A map type nested deeper than any real schema, built by reflection; the bytes are built by hand.
        // Each ORMap adds one dot map and the innermost ORSet another.
        Rule.Equal("was accepted", Outcome(() => DecodeNested(CrdtReader.DefaultMaxDepth - 1)), $"{CrdtReader.DefaultMaxDepth} nested dot maps decode");
        var outcome = Outcome(() => DecodeNested(CrdtReader.DefaultMaxDepth));
        Assert.True(outcome is null, $"{CrdtReader.DefaultMaxDepth + 1} nested dot maps are rejected with CrdtDecodeException: {outcome}");
    }

    private static void DecodeNested(int maps)
    {
        var type = typeof(ORSet<string>);
        var hex = new System.Text.StringBuilder("010C" + "01010100");
        for (var i = 0; i < maps; i++)
        {
            type = typeof(ORMap<,>).MakeGenericType(typeof(string), type);
            hex.Append("01" + "016B");
        }
        hex.Append("01" + "0101" + "0100" + "0102" + "0178");
        var decode = typeof(EncodingTests).GetMethod(nameof(DecodeAs), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        try
        {
            decode.Invoke(null, [Convert.FromHexString(hex.ToString())]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }

    private static object DecodeAs<T>(byte[] bytes) where T : class, ICrdt<T> => CrdtEncoding.Decode<T>(bytes);

    private static bool EnterFails(ref CrdtReader reader)
    {
        try
        {
            reader.Enter();
            return false;
        }
        catch (CrdtDecodeException)
        {
            return true;
        }
    }

    private static void AssertRejected<T>(byte[] bytes, string rule) where T : class, ICrdt<T>
    {
        var outcome = Outcome(() => CrdtEncoding.Decode<T>(bytes));
        Assert.True(outcome is null, $"{rule}: {Convert.ToHexString(bytes)} {outcome}");
    }

    /// <summary>Null when the action threw <see cref="CrdtDecodeException"/>; otherwise what happened instead.</summary>
    private static string? Outcome(Action decode)
    {
        try
        {
            decode();
            return "was accepted";
        }
        catch (CrdtDecodeException)
        {
            return null;
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {e.Message}";
        }
    }
}
