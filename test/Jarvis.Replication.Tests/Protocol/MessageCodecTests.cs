using System.IO.Compression;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Protocol;

public sealed class MessageCodecTests
{
    public static TheoryData<Message> Messages => new()
    {
        new DeltaBatch(3, 9, [new WireObject("tags", "ORSet<String>", [1, 2, 3]), new WireObject("n", "GCounter", [4])]),
        new Ack(42),
        new StateBatch(7, 100, 1, 3, [new WireObject("k", "GCounter", [9, 9])]),
        new StatePart(7, 100, 2, 3, "big", "ORSet<String>", 0, 5, new byte[300]),
        new ReadRequest(5, "users/1"),
        new ReadResponse(5, new WireObject("users/1", "MVRegister<String>", [1])),
        new ReadResponse(6, null),
        new StateRequest(),
        new MerkleSync(12, true, 3, [1, 2, 3, 4]),
        new Heartbeat(3, [Member]),
        new Heartbeat(3, [Member], QuietRoot: new UInt128(0x0102030405060708, 0x090A0B0C0D0E0F10)),
        new Heartbeat(3, [Member], WallTime: 1_767_225_600_000),
        new Heartbeat(4, [], QuietRoot: UInt128.MaxValue, WallTime: 0),
        new JoinRequest(Member),
        new JoinRequest(Member, WallTime: 1_767_225_600_000),
    };

    private static readonly MemberEntry Member = new(new ReplicaId(7), MemberStatus.Up, 2, "n7@h:1", 0);

    [Fact]
    public void Heartbeats_and_join_requests_have_a_frozen_wire_form_and_those_without_a_wall_time_keep_the_older_one()
    {
        // Without a wall time, the bytes are what a sender before clock checking wrote, so it decodes either way.
        Assert.Equal("0100080301070102066E3740683A3100" + "00", Convert.ToHexString(MessageCodec.Encode(new Heartbeat(3, [Member]))));
        Assert.Equal("0100080301070102066E3740683A3100" + "02" + "80D0EAB6B733", Convert.ToHexString(MessageCodec.Encode(new Heartbeat(3, [Member], WallTime: 1_767_225_600_000))));
        Assert.Equal("010009070102066E3740683A3100", Convert.ToHexString(MessageCodec.Encode(new JoinRequest(Member))));
        Assert.Equal("010009070102066E3740683A3100" + "01" + "80D0EAB6B733", Convert.ToHexString(MessageCodec.Encode(new JoinRequest(Member, WallTime: 1_767_225_600_000))));
    }

    [Fact]
    public void Unknown_heartbeat_flags_and_join_request_fields_are_refused()
    {
        var heartbeat = MessageCodec.Encode(new Heartbeat(3, [Member]));
        heartbeat[^1] = 4;
        var join = Convert.FromHexString("010009070102066E3740683A3100" + "00" + "05");

        Assert.Throws<CrdtDecodeException>(() => MessageCodec.Decode(heartbeat));
        Assert.Throws<CrdtDecodeException>(() => MessageCodec.Decode(join));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips(Message message)
    {
        var decoded = MessageCodec.Decode(MessageCodec.Encode(message));
        Assert.Equal(Describe(message), Describe(decoded));
    }

    [Fact]
    public void A_large_repetitive_batch_is_compressed_and_round_trips()
    {
        var entries = Enumerable.Range(0, 500).Select(i => new WireObject($"users/{i}/tags", "ORSet<String>", new byte[40])).ToArray();
        var message = new DeltaBatch(1, 501, entries);
        var bytes = MessageCodec.Encode(message);

        Assert.Equal(1, bytes[1]);
        Assert.True(bytes.Length < entries.Sum(MessageCodec.SizeOf) / 4, $"repetitive keys and type names compress well: {bytes.Length} bytes");
        Assert.Equal(Describe(message), Describe(MessageCodec.Decode(bytes)));
    }

    [Fact]
    public void A_compressed_body_that_would_expand_past_the_bound_is_refused()
    {
        var zeros = new byte[MessageCodec.MaxBodyBytes + 1024];
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(zeros.Length)];
        Assert.True(BrotliEncoder.TryCompress(zeros, compressed, out var written));
        var bomb = new byte[written + 2];
        bomb[0] = MessageCodec.Version;
        bomb[1] = 1;
        compressed.AsSpan(0, written).CopyTo(bomb.AsSpan(2));

        Assert.Throws<CrdtDecodeException>(() => MessageCodec.Decode(bomb));
    }

    [Fact]
    public void Truncated_and_random_bytes_are_refused_with_a_decode_error_only()
    {
        var random = new Random(5);
        var failures = new List<string>();
        foreach (var message in Messages)
        {
            var bytes = MessageCodec.Encode(message);
            // A join request's wall time is an optional trailing field: cut off whole, what is left is the older form.
            var olderForm = message is JoinRequest { WallTime: not null } join ? MessageCodec.Encode(join with { WallTime = null }) : null;
            for (var length = 0; length < bytes.Length; length++)
            {
                Check(bytes[..length], mustFail: olderForm is null || length != olderForm.Length);
            }
        }
        for (var i = 0; i < 2_000; i++)
        {
            var noise = new byte[random.Next(0, 64)];
            random.NextBytes(noise);
            if (noise.Length > 1)
            {
                noise[0] = MessageCodec.Version;
                noise[1] = (byte)random.Next(3);
            }
            Check(noise, mustFail: false);
        }
        Assert.True(failures.Count == 0, "hostile message bytes are refused with CrdtDecodeException and nothing else:\n" + string.Join("\n", failures.Take(10)));

        void Check(byte[] input, bool mustFail)
        {
            try
            {
                MessageCodec.Decode(input);
                if (mustFail)
                {
                    failures.Add($"{Convert.ToHexString(input)} decoded although truncated");
                }
            }
            catch (CrdtDecodeException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{Convert.ToHexString(input)} threw {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static string Describe(Message message) => message switch
    {
        DeltaBatch b => $"delta {b.From}..{b.To} {Objects(b.Entries)}",
        StateBatch s => $"state {s.TransferId}@{s.SnapshotSequence} {s.Index}/{s.Count} {Objects(s.Entries)}",
        StatePart p => $"part {p.TransferId}@{p.SnapshotSequence} {p.Index}/{p.Count} {p.Key} {p.Type} {p.PartIndex}/{p.PartCount} {Convert.ToHexString(p.Bytes)}",
        ReadResponse r => $"response {r.ReadId} {(r.State is null ? "-" : Objects([r.State]))}",
        MerkleSync m => $"merkle {m.Session} {m.Initiator} {m.Step} {Convert.ToHexString(m.Payload)}",
        Heartbeat h => $"heartbeat {h.Incarnation} [{string.Join(";", h.Gossip)}] {h.QuietRoot} {h.WallTime}",
        _ => message.ToString(),
    };

    private static string Objects(IEnumerable<WireObject> entries)
        => string.Join(";", entries.Select(e => $"{e.Key}:{e.Type}:{Convert.ToHexString(e.Bytes)}"));
}
