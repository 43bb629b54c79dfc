using Jarvis.Crdt.Encoding;
using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

public sealed class MerkleMessageEncodingTests
{
    private static readonly MerkleShape Sixteen = MerkleShape.FromFanOut(16);

    [Fact]
    public void The_start_message_format_is_frozen()
    {
        var start = new MerkleStartMessage(Sixteen, new UInt128(0x1122_3344_5566_7788, 0x99AA_BBCC_DDEE_FF00));
        Assert.Equal("0104" + "00FFEEDDCCBBAA99" + "8877665544332211", Convert.ToHexString(start.ToArray()));
    }

    [Fact]
    public void The_exchange_message_format_is_frozen()
    {
        var digests = Enumerable.Range(0, 16).Select(i => (UInt128)i).ToArray();
        var message = new MerkleExchangeMessage(
            Sixteen,
            final: true,
            [new MerkleChildDigests(new MerkleNodePath(1, 0xA), digests)],
            [new MerkleEntryList(new MerkleNodePath(2, 0xAB), [new MerkleEntryDigest(0xAB00_0000_0000_0001, 7)], continued: false)],
            [5, 0x1_0000_0000]);
        var hex = Convert.ToHexString(message.ToArray());
        var expectedChildren = "01" + "010A" + string.Concat(digests.Select(d => ((ulong)d).ToString("X2") + "00000000000000" + "0000000000000000"));
        var expectedEntries = "01" + "02" + "AB01" + "00" + "01" + "010000000000" + "00AB" + "0700000000000000" + "0000000000000000";
        var expectedRequests = "02" + "0500000000000000" + "0000000001000000";
        Assert.Equal("0204" + "01" + expectedChildren + expectedEntries + expectedRequests, hex);
    }

    [Fact]
    public void Messages_of_real_comparisons_round_trip_byte_for_byte()
    {
        var failures = new List<string>();
        foreach (var wire in SampleMessages())
        {
            var again = MerkleMessage.Decode(wire).ToArray();
            if (!again.AsSpan().SequenceEqual(wire))
            {
                failures.Add(Convert.ToHexString(wire[..Math.Min(40, wire.Length)]));
            }
        }
        Assert.True(failures.Count == 0, "decoding then encoding a message gives back its bytes:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void Every_truncation_of_a_message_is_rejected_with_CrdtDecodeException()
    {
        var failures = new List<string>();
        foreach (var wire in SampleMessages().Where(w => w.Length < 3_000))
        {
            for (var length = 0; length < wire.Length; length++)
            {
                try
                {
                    MerkleMessage.Decode(wire.AsSpan(0, length));
                    failures.Add($"{length} of {wire.Length} bytes decoded");
                }
                catch (CrdtDecodeException)
                {
                }
            }
        }
        Assert.True(failures.Count == 0, "a message cut short never decodes:\n" + string.Join('\n', failures.Take(20)));
    }

    [Theory]
    [InlineData("", "empty input")]
    [InlineData("0304" + "00", "unknown kind")]
    [InlineData("0107" + "0000000000000000" + "0000000000000000", "fan-out 2^7")]
    [InlineData("0104" + "0000000000000000" + "00000000000000", "a digest cut short")]
    [InlineData("0104" + "0000000000000000" + "0000000000000000" + "00", "a trailing byte")]
    [InlineData("0204" + "02" + "00" + "00" + "00", "unknown flags")]
    [InlineData("0204" + "00" + "01" + "1000", "children of a node at the deepest level")]
    [InlineData("0204" + "00" + "01" + "0110", "a prefix too wide for its level")]
    [InlineData("0204" + "00" + "00" + "01" + "1100" + "00" + "00" + "00", "a level deeper than the deepest")]
    [InlineData("0204" + "00" + "00" + "01" + "010A" + "02" + "00" + "00", "a continued flag of 2")]
    [InlineData("0204" + "00" + "00" + "01" + "010A" + "01" + "00" + "00", "an empty part marked continued")]
    [InlineData("0204" + "00" + "00" + "01" + "010A" + "00" + "01" + "00000000000000B0" + "0000000000000000" + "0000000000000000" + "00", "a key hash not below its node")]
    [InlineData("0204" + "00" + "00" + "01" + "0100" + "00" + "02" + "0200000000000000" + "0000000000000000" + "0000000000000000" + "0100000000000000" + "0000000000000000" + "0000000000000000" + "00", "a key list out of order")]
    [InlineData("0204" + "00" + "00" + "00" + "02" + "0500000000000000" + "0500000000000000", "a repeated request")]
    [InlineData("0204" + "00" + "00" + "00" + "FFFFFFFF0F", "a count larger than the input")]
    [InlineData("0204" + "00" + "8000" + "00" + "00", "a non-minimal varint")]
    public void Malformed_messages_are_rejected_with_CrdtDecodeException(string hex, string fault)
    {
        var error = Record.Exception(() => MerkleMessage.Decode(Convert.FromHexString(hex)));
        Assert.True(error is CrdtDecodeException, $"{fault} is rejected with CrdtDecodeException, not {error?.GetType().Name ?? "success"}");
    }

    /// <summary>The wire bytes of comparisons of several kinds: equal, one key apart, many apart with split lists.</summary>
    internal static List<byte[]> SampleMessages()
    {
        var wire = new List<byte[]>();
        var random = new Random(6_001);
        foreach (var fanOut in new[] { 16, 32, 64 })
        {
            var (a, b) = ReplicaStates.Diverged(random, 2_000, changed: 20, onlyOnA: 20, onlyOnB: 20);
            InMemoryMerkleExchange.Run(a.BuildIndex(fanOut), b.BuildIndex(fanOut), onMessage: (bytes, _) => wire.Add(bytes));
            InMemoryMerkleExchange.Run(a.BuildIndex(fanOut), new ReplicaStates().BuildIndex(fanOut), MerkleComparison.MinMaxMessageBytes, (bytes, _) => wire.Add(bytes));
            InMemoryMerkleExchange.Run(a.BuildIndex(fanOut), a.BuildIndex(fanOut), onMessage: (bytes, _) => wire.Add(bytes));
        }
        // Colliding placement hashes: lists at the deepest level, split into continued parts.
        static UInt128 Colliding(string key) => new(0x0F0F_0F0F_0F0F_0F0F, unchecked((ulong)MerkleIndex.KeyHash128(key)));
        var (x, y) = ReplicaStates.Diverged(random, 300, changed: 5, onlyOnA: 5, onlyOnB: 5);
        InMemoryMerkleExchange.Run(x.BuildIndex(keyHasher: Colliding), y.BuildIndex(keyHasher: Colliding), MerkleComparison.MinMaxMessageBytes, (bytes, _) => wire.Add(bytes));
        return wire;
    }
}
