using System.IO.Compression;
using System.Text.Json;
using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// The three byte forms of a text — the CrdtEncoding state, the compact snapshot (Encode/Decode) and updates
/// (EncodeUpdateSince/ApplyUpdate): round trips, determinism, hostile input, and a real editing trace.
/// </summary>
public sealed class SequenceEncodingTests
{
    private const int Seed = 20_261_202;

    [Fact]
    public void A_snapshot_decodes_to_the_same_text_that_keeps_converging_with_the_original()
    {
        var original = Edited(Seed, edits: 60);
        var decoded = FugueText.Decode(original.Encode());
        original.CheckInvariants();
        decoded.CheckInvariants();

        Rule.Equal(original.ToString(), decoded.ToString(), "a snapshot decodes to the same text");
        Rule.Equal(original.Length, decoded.Length, "a snapshot decodes to the same length");
        Rule.Equal(0, decoded.PendingCount, "nothing waits in a decoded snapshot");
        for (var i = 0; i < original.Length; i++)
        {
            Rule.Equal(original.IdAt(i), decoded.IdAt(i), "a snapshot keeps every character's id");
        }
        Assert.True(decoded.Context.Covers(original.Context) && original.Context.Covers(decoded.Context), "a snapshot keeps the version");
        Rule.Converged("a snapshot holds the whole state", original, decoded);

        var fromDecoded = new List<FugueText> { decoded.Insert(C, decoded.Length / 2, "<decoded>"), decoded.Delete(C, 0, 3) };
        var fromOriginal = new List<FugueText> { original.Insert(A, original.Length / 2, "<original>"), original.Delete(A, original.Length - 2, 2) };
        fromDecoded.ForEach(d => original.Join(d));
        fromOriginal.ForEach(d => decoded.Join(d));
        Rule.Equal(original.ToString(), decoded.ToString(), "a decoded copy edited concurrently with its original converges with it");
        Assert.Contains("<decoded>", original.ToString(), StringComparison.Ordinal);
        Assert.Contains("<original>", decoded.ToString(), StringComparison.Ordinal);
        decoded.CheckInvariants();
        Rule.Converged("a decoded copy edited concurrently with its original converges with it", original, decoded);
    }

    [Fact]
    public void An_empty_text_round_trips_through_every_encoding()
    {
        var empty = new FugueText();
        Rule.Equal("", FugueText.Decode(empty.Encode()).ToString(), "an empty snapshot decodes to an empty text");
        Rule.Equal("", Wire.Ship(empty).ToString(), "an empty state decodes to an empty text");
        var target = new FugueText();
        target.ApplyUpdate(empty.EncodeUpdateSince(null));
        Rule.Equal("", target.ToString(), "an empty update changes nothing");
        Rule.Converged("empty stays empty", empty, FugueText.Decode(empty.Encode()), target);
    }

    [Fact]
    public void The_state_encoding_round_trips_canonically_and_is_deterministic_across_delivery_orders()
    {
        var ids = new[] { A, B, C };
        var random = new Random(Seed);
        var replicas = ids.Select(_ => new FugueText()).ToArray();
        var deltas = new List<FugueText>();
        for (var step = 0; step < 150; step++)
        {
            var r = random.Next(ids.Length);
            var text = replicas[r];
            var delta = text.Length > 0 && random.Next(3) == 0
                ? text.Delete(ids[r], random.Next(text.Length), 1)
                : text.Insert(ids[r], random.Next(text.Length + 1), $"{(char)('a' + random.Next(26))}{step % 10}");
            deltas.Add(delta);
            if (random.Next(4) == 0)
            {
                replicas[random.Next(ids.Length)].Join(delta);
            }
        }

        var forwards = new FugueText();
        deltas.ForEach(d => forwards.Join(d));
        var backwards = new FugueText();
        Enumerable.Reverse(deltas).ToList().ForEach(d => backwards.Join(d));
        var byStates = new FugueText();
        foreach (var replica in replicas.Reverse())
        {
            byStates.Join(replica.Clone());
        }
        Rule.Equal(forwards.ToString(), backwards.ToString(), "the delivery order does not matter");
        var bytes = CrdtEncoding.Encode(forwards);
        Rule.Equal(Convert.ToHexString(bytes), Convert.ToHexString(CrdtEncoding.Encode(backwards)), "replicas that converged by different delivery orders encode to equal bytes");
        Rule.Equal(Convert.ToHexString(bytes), Convert.ToHexString(CrdtEncoding.Encode(byStates)), "a replica that joined whole states encodes to the same bytes");

        var decoded = CrdtEncoding.Decode<FugueText>(bytes);
        decoded.CheckInvariants();
        Rule.Equal(forwards.ToString(), decoded.ToString(), "the state encoding round-trips the text");
        Rule.Equal(Convert.ToHexString(bytes), Convert.ToHexString(CrdtEncoding.Encode(decoded)), "decode then encode gives the same bytes");
    }

    [Fact]
    public void A_delta_round_trips_canonically_through_the_state_encoding()
    {
        var delta = new FugueText().Insert(A, 0, "ch");
        var decoded = Wire.Ship(delta);
        Rule.Equal(Wire.Hex(delta), Wire.Hex(decoded), "decode then encode gives the same bytes, for a delta as for any state");
        Rule.Equal(delta.ToString(), decoded.ToString(), "a delta reads the same after crossing the wire");
    }

    [Fact]
    public void An_update_since_a_version_carries_exactly_what_the_version_lacks()
    {
        var a = Edited(Seed + 1, edits: 40);
        var b = new FugueText();
        b.ApplyUpdate(a.EncodeUpdateSince(null));
        b.CheckInvariants();
        Rule.Converged("an update since nothing carries the whole state", a, b);

        var version = b.Context.Clone();
        a.Insert(A, 0, "new ");
        a.Delete(A, a.Length - 3, 2);
        var update = a.EncodeUpdateSince(version);
        Assert.True(update.Length < a.EncodeUpdateSince(null).Length, "an update since a recent version is smaller than everything");
        Assert.True(b.ApplyUpdate(update), "the update changes a replica at that version");
        b.CheckInvariants();
        Rule.Equal(a.ToString(), b.ToString(), "the update brings the replica up to date");
        Assert.False(b.ApplyUpdate(update), "applying the update again changes nothing");
        Assert.False(b.ApplyUpdate(a.EncodeUpdateSince(null)), "applying everything to a replica that has it changes nothing");
        Rule.Converged("the replicas agree", a, b);
    }

    [Fact]
    public void Every_truncation_of_every_encoding_is_rejected()
    {
        var text = Edited(Seed + 2, edits: 25);
        var snapshot = text.Encode();
        var state = CrdtEncoding.Encode(text);
        var (target, update, source) = TargetAndUpdate(text);
        var targetBefore = Wire.Hex(target);
        var failures = new List<string>();
        for (var length = 0; length < snapshot.Length; length++)
        {
            Expect(failures, $"Decode of the first {length} of {snapshot.Length} snapshot bytes", () => FugueText.Decode(snapshot.AsSpan(0, length)), mayDecode: false);
        }
        for (var length = 0; length < state.Length; length++)
        {
            Expect(failures, $"CrdtEncoding.Decode of the first {length} of {state.Length} bytes", () => CrdtEncoding.Decode<FugueText>(state.AsSpan(0, length)), mayDecode: false);
        }
        for (var length = 0; length < update.Length; length++)
        {
            Expect(failures, $"ApplyUpdate of the first {length} of {update.Length} update bytes", () => target.ApplyUpdate(update.AsSpan(0, length)), mayDecode: false);
            if (Wire.Hex(target) != targetBefore || target.PendingCount != 0)
            {
                failures.Add($"ApplyUpdate of the first {length} of {update.Length} update bytes changed the document");
                break;
            }
        }
        Assert.True(failures.Count == 0, $"a truncated encoding throws CrdtDecodeException, and a rejected update leaves the document as it was ({failures.Count} failures): {string.Join(" | ", failures.Take(10))}");
        Assert.True(target.ApplyUpdate(update), "the whole update still applies after the rejected truncations");
        Rule.Equal(source.ToString(), target.ToString(), "and brings the document up to date");
    }

    [Fact]
    public async Task Random_bytes_and_bit_flips_decode_or_throw_CrdtDecodeException_and_never_hang()
    {
        // On its own thread, so that a decoder stuck in a loop fails the test instead of hanging the run.
        var failures = await Task.Run(() =>
        {
            var random = new Random(Seed);
            var text = Edited(Seed + 3, edits: 25);
            var snapshot = text.Encode();
            var state = CrdtEncoding.Encode(text);
            var (target, update, _) = TargetAndUpdate(text);
            var targetBefore = Wire.Hex(target);
            var failures = new List<string>();
            var inputs = new List<(string Kind, byte[] Bytes)>();
            for (var i = 0; i < 300; i++)
            {
                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                inputs.Add(("random bytes", noise));
                foreach (var (kind, valid) in new[] { ("snapshot", snapshot), ("state", state), ("update", update) })
                {
                    var withHeader = (byte[])valid.Clone();
                    random.NextBytes(withHeader.AsSpan(Math.Min(withHeader.Length, 1 + random.Next(4))));
                    inputs.Add(($"{kind} with a valid start and random rest", withHeader));
                    var flipped = (byte[])valid.Clone();
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                    }
                    inputs.Add(($"{kind} with bits flipped", flipped));
                }
            }
            foreach (var (kind, input) in inputs)
            {
                var hex = Convert.ToHexString(input);
                // What decodes is a sound structure: the invariant check throws InvalidOperationException otherwise.
                Expect(failures, $"Decode of {kind} {hex}", () => Sound(FugueText.Decode(input)), mayDecode: true);
                Expect(failures, $"CrdtEncoding.Decode of {kind} {hex}", () => Sound(CrdtEncoding.Decode<FugueText>(input)), mayDecode: true);
                var probe = target.Clone();
                var rejected = Expect(failures, $"ApplyUpdate of {kind} {hex}", () =>
                {
                    probe.ApplyUpdate(input);
                    probe.CheckInvariants();
                }, mayDecode: true);
                if (rejected && (Wire.Hex(probe) != targetBefore || probe.PendingCount != 0))
                {
                    failures.Add($"a rejected ApplyUpdate of {kind} {hex} changed the document");
                }
            }
            return failures;
        }).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(failures.Count == 0, $"hostile bytes decode or throw CrdtDecodeException, nothing else, and a rejected update changes nothing ({failures.Count} failures): {string.Join(" | ", failures.Take(10))}");
    }

    [Fact]
    public void The_automerge_paper_trace_replays_to_its_final_text_and_survives_every_encoding()
    {
        var (patches, endContent) = LoadTrace();
        var replica = new ReplicaId(0x5EED);
        var text = new FugueText();
        foreach (var (position, deleteCount, inserted) in patches)
        {
            text.Splice(replica, position, deleteCount, inserted);
        }
        Rule.Equal(endContent.Length, text.Length, "replaying every patch gives the final length");
        Assert.True(text.ToString() == endContent, "replaying every patch of the trace with Splice gives its endContent");

        text.CheckInvariants();
        var decoded = FugueText.Decode(text.Encode());
        decoded.CheckInvariants();
        Assert.True(decoded.ToString() == endContent, "the trace's snapshot decodes to the final text");
        Rule.Equal(endContent.Length, decoded.Length, "the decoded snapshot has the final length");

        var applied = new FugueText();
        Assert.True(applied.ApplyUpdate(text.EncodeUpdateSince(null)), "the whole trace as one update changes a fresh text");
        Assert.True(applied.ToString() == endContent, "the trace as one update applied to a fresh text gives the final text");
        Rule.Equal(0, applied.PendingCount, "nothing waits after the whole trace is applied");
        applied.CheckInvariants();
    }

    /// <summary>A text after a seeded series of inserts and deletes by two replicas, with one of them joined into the other.</summary>
    private static FugueText Edited(int seed, int edits)
    {
        var random = new Random(seed);
        var text = new FugueText();
        var other = new FugueText();
        for (var i = 0; i < edits; i++)
        {
            var (replica, id) = random.Next(3) == 0 ? (other, B) : (text, A);
            if (replica.Length > 4 && random.Next(4) == 0)
            {
                replica.Delete(id, random.Next(replica.Length - 2), 2);
            }
            else
            {
                replica.Insert(id, random.Next(replica.Length + 1), i % 7 == 0 ? "héllo ✓\n" : $"w{i}");
            }
            if (random.Next(5) == 0)
            {
                text.Join(other);
            }
        }
        text.Join(other);
        return text;
    }

    /// <summary>A replica that lacks a source's latest edits, the update that brings it up to date, and the source.</summary>
    private static (FugueText Target, byte[] Update, FugueText Source) TargetAndUpdate(FugueText text)
    {
        var target = text.Clone();
        var version = text.Context.Clone();
        var source = text.Clone();
        source.Insert(D, source.Length / 2, "update");
        source.Delete(D, 0, 2);
        return (target, source.EncodeUpdateSince(version), source);
    }

    /// <summary>Runs a decode: it may succeed only if <paramref name="mayDecode"/>; otherwise only CrdtDecodeException is allowed.</summary>
    /// <returns>Whether the input was rejected.</returns>
    /// <summary>
    /// Crashers of the hostile-bytes test once the decoded text's invariants were checked: bit flips that left a
    /// well-formed state whose run lies outside its origins (no integration makes one). Such a state would hold its
    /// items in an order no other replica can reach, so decoding refuses it.
    /// </summary>
    [Theory]
    [InlineData("a run whose origin left lies after it", "010E02012600021F0024000001013A2002001F320803340D01000124250100013242033C3F01000102013A08020007321A03341F0100013C0D0100010201080109022113021A00030302033B1202000B6A013411030007340B0100010401030200013A0C01000B6B026A031A00150202113A0E01000D320403340902000134130100011C011101000100173A0C05000B6B026A013C1B01000100196B02241F010001321E03242303000177773177313835317732347777317731393134773577327732773130336C6C77E9016C6C7731777732333230376F68E9016C6C6F0A206F77313E20934E0A00")]
    [InlineData("a run whose origin right lies before it", "010E02012600021F0024000001013A2002001F320803340D01000124250100013242033C3F01000902013A08020007321A03341F0100013C0D0100010201080109022113021A00030302033B1202001B6A013411030007340B0100010401030200013A0C01000B6B026A031A00150202113A0E01000D320403340902000134130100011C011101000100173A0C05000B6B026A013C1B01000100196B02241F010001321E03242303000177773177313835317732347777317731393134773577327732773130336C6C77E9016C6C7731777732333230376F68E9016C6C6F0A206F77313620934E0A00")]
    public void A_state_listing_a_run_outside_its_origins_is_refused(string what, string hex)
    {
        var refused = Assert.Throws<CrdtDecodeException>(() => CrdtEncoding.Decode<FugueText>(Convert.FromHexString(hex)));
        Assert.True(refused.Message.Contains("does not lie between its origins", StringComparison.Ordinal), $"{what} is refused as such: {refused.Message}");
    }

    /// <summary>Checks a decoded text's invariants and reads it out.</summary>
    private static void Sound(FugueText text)
    {
        text.CheckInvariants();
        _ = text.ToString();
    }

    private static bool Expect(List<string> failures, string what, Action decode, bool mayDecode)
    {
        try
        {
            decode();
            if (!mayDecode)
            {
                failures.Add($"{what} was accepted");
            }
            return false;
        }
        catch (CrdtDecodeException)
        {
            return true;
        }
        catch (Exception e)
        {
            failures.Add($"{what} threw {e.GetType().Name}: {e.Message}");
            return true;
        }
    }

    private static (List<(int Position, int DeleteCount, string Inserted)> Patches, string EndContent) LoadTrace()
    {
        var path = Path.Combine(RepositoryRoot(), "..", "shared", "data", "editing-traces", "automerge-paper.json.gz");
        Assert.True(File.Exists(path), $"the editing trace is at {Path.GetFullPath(path)}");
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var json = JsonDocument.Parse(gzip);
        var patches = new List<(int, int, string)>();
        foreach (var transaction in json.RootElement.GetProperty("txns").EnumerateArray())
        {
            foreach (var patch in transaction.GetProperty("patches").EnumerateArray())
            {
                patches.Add((patch[0].GetInt32(), patch[1].GetInt32(), patch[2].GetString()!));
            }
        }
        Assert.True(json.RootElement.GetProperty("startContent").GetString() == "", "the trace starts from an empty text");
        return (patches, json.RootElement.GetProperty("endContent").GetString()!);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no directory above {AppContext.BaseDirectory} holds Jarvis.slnx");
    }
}
