using System.IO.Compression;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Protocol;

/// <summary>
/// The decoder's error contract: whatever bytes arrive, <see cref="MessageCodec.Decode"/> returns a message or
/// throws <see cref="CrdtDecodeException"/> — never anything else, so a driver catches exactly that one type.
/// Near-valid inputs reach deep into the decoder where random noise stops at the first byte: every message
/// kind is encoded, then its body is flipped, cut, extended and has fields duplicated, and each result is
/// framed plain and (when small) compressed.
/// </summary>
public sealed class MessageCodecHostileInputTests
{
    private const byte Plain = 0;
    private const byte Compressed = 1;

    // Values chosen to stress the decoder: varint continuation, the top of a byte, zero, a flag that is not 0/1.
    private static readonly byte[] Replacements = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF];

    // Extreme varints put in place of a byte (most fields of the samples are one-byte varints): 2^31, 2^32 - 1,
    // 2^63 (one past long.MaxValue) and ulong.MaxValue — sequences, counts and lengths must refuse them cleanly.
    private static readonly byte[][] ExtremeVarints =
    [
        [0x80, 0x80, 0x80, 0x80, 0x08],
        [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
    ];

    [Fact]
    public void Every_message_kind_has_a_sample_so_none_escapes_the_hostile_input_tests()
    {
        var covered = Samples().Select(m => m.Kind).ToHashSet();
        var missing = Enum.GetValues<MessageKind>().Where(k => !covered.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "every message kind is mutated by these tests; no sample for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Random_bytes_decode_or_fail_with_a_decode_error_only()
    {
        var random = new Random(13);
        var failures = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(0, 96)];
            random.NextBytes(noise);
            // Most noise dies on the version byte; a valid header lets it reach the body decoder.
            if (noise.Length > 2 && i % 4 != 0)
            {
                noise[0] = MessageCodec.Version;
                noise[1] = Plain;
                noise[2] = (byte)random.Next(0, 12);
            }
            Check(noise, $"noise #{i}", failures);
        }
        for (var i = 0; i < 500; i++)
        {
            var noise = new byte[random.Next(1, 2_048)];
            random.NextBytes(noise);
            Check(Frame(noise, Compressed), $"compressed noise #{i}", failures);
        }
        AssertNone(failures);
    }

    [Fact]
    public void Every_byte_of_every_message_flipped_fails_with_a_decode_error_only()
    {
        var random = new Random(17);
        var failures = new List<string>();
        foreach (var (name, body) in Bodies())
        {
            for (var position = 0; position < body.Length; position++)
            {
                foreach (var value in Replacements.Append((byte)(body[position] ^ (1 << random.Next(8)))))
                {
                    if (value == body[position])
                    {
                        continue;
                    }
                    var mutated = (byte[])body.Clone();
                    mutated[position] = value;
                    CheckBothFramings(mutated, $"{name}: byte {position} set to {value:X2}", failures);
                }
                foreach (var varint in ExtremeVarints)
                {
                    CheckBothFramings([.. body[..position], .. varint, .. body[(position + 1)..]], $"{name}: byte {position} replaced by varint {Convert.ToHexString(varint)}", failures);
                }
            }
        }
        AssertNone(failures);
    }

    [Fact]
    public void Every_message_cut_anywhere_fails_with_a_decode_error_only()
    {
        var failures = new List<string>();
        foreach (var (name, body) in Bodies())
        {
            for (var start = 0; start < body.Length; start++)
            {
                // A cut of the tail, then cuts of up to 8 bytes out of the middle.
                CheckBothFramings(body[..start], $"{name}: cut after {start} bytes", failures);
                for (var length = 1; length <= 8 && start + length < body.Length; length++)
                {
                    CheckBothFramings([.. body[..start], .. body[(start + length)..]], $"{name}: {length} bytes cut at {start}", failures);
                }
            }
        }
        AssertNone(failures);
    }

    [Fact]
    public void Every_message_extended_fails_with_a_decode_error_only()
    {
        var random = new Random(19);
        var failures = new List<string>();
        foreach (var (name, body) in Bodies())
        {
            foreach (var value in Replacements)
            {
                CheckBothFramings([.. body, value], $"{name}: {value:X2} appended", failures);
            }
            CheckBothFramings([.. body, .. body], $"{name}: the whole body appended again", failures);
            for (var position = 0; position <= body.Length; position++)
            {
                var inserted = new byte[random.Next(1, 9)];
                random.NextBytes(inserted);
                CheckBothFramings([.. body[..position], .. inserted, .. body[position..]], $"{name}: {Convert.ToHexString(inserted)} inserted at {position}", failures);
            }
        }
        AssertNone(failures);
    }

    [Fact]
    public void Every_field_of_every_message_duplicated_fails_with_a_decode_error_only()
    {
        // Fields are not delimited on the wire, so every run of 1..24 bytes is repeated in place: among them is
        // every field (a varint, a length-prefixed string, a member entry) of the smaller messages.
        var failures = new List<string>();
        foreach (var (name, body) in Bodies())
        {
            for (var start = 0; start < body.Length; start++)
            {
                for (var end = start + 1; end <= Math.Min(body.Length, start + 24); end++)
                {
                    CheckBothFramings([.. body[..end], .. body[start..end], .. body[end..]], $"{name}: bytes {start}..{end} duplicated", failures);
                }
            }
        }
        AssertNone(failures);
    }

    private static IEnumerable<Message> Samples()
    {
        foreach (var message in MessageCodecTests.Messages)
        {
            yield return message;
        }
        // A batch large enough to be compressed, so the compressed path decodes real bodies too.
        yield return new DeltaBatch(1, 41, Enumerable.Range(0, 40).Select(i => new WireObject($"users/{i}", "GCounter", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])).ToArray());
    }

    /// <summary>The bodies of the samples (without version and flags byte), decompressed when encoding compressed them.</summary>
    private static IEnumerable<(string Name, byte[] Body)> Bodies()
    {
        foreach (var message in Samples())
        {
            var encoded = MessageCodec.Encode(message);
            var body = encoded[1] == Compressed ? Decompress(encoded.AsSpan(2)) : encoded[2..];
            yield return ($"{message.Kind} ({body.Length} bytes, {(encoded[1] == Compressed ? "sent compressed" : "sent plain")})", body);
        }
    }

    private static void CheckBothFramings(byte[] body, string what, List<string> failures)
    {
        Check(Frame(body, Plain), what + ", plain", failures);
        // Compressing every mutation of the large sample would cost seconds and test Brotli more than the decoder.
        if (body.Length <= 512)
        {
            Check(Frame(Compress(body), Compressed), what + ", compressed", failures);
        }
    }

    private static void Check(byte[] input, string what, List<string> failures)
    {
        try
        {
            MessageCodec.Decode(input);
        }
        catch (CrdtDecodeException)
        {
        }
        catch (Exception e)
        {
            failures.Add($"{what}: {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 64)))} threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static void AssertNone(List<string> failures)
        => Assert.True(failures.Count == 0, $"MessageCodec.Decode throws only CrdtDecodeException, whatever the bytes; {failures.Count} inputs broke that:\n" + string.Join("\n", failures.Take(10)));

    private static byte[] Frame(ReadOnlySpan<byte> body, byte flags) => [MessageCodec.Version, flags, .. body];

    private static byte[] Compress(byte[] body)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(body.Length)];
        Assert.True(BrotliEncoder.TryCompress(body, buffer, out var written, quality: 2, window: 22), "the test compresses its mutated body");
        return buffer[..written];
    }

    private static byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        var buffer = new byte[1 << 20];
        Assert.True(BrotliDecoder.TryDecompress(compressed, buffer, out var written), "a compressed sample decompresses");
        return buffer[..written];
    }
}
