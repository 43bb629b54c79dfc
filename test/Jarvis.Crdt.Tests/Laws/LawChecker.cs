using CsCheck;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Laws;

/// <summary>Thrown when a generated case breaks a law; the message names the law and the history.</summary>
public sealed class LawViolationException(string message) : Exception(message);

/// <summary>
/// Checks the join-semilattice and delta-state laws, convergence, and the encoding contract for one CRDT
/// type, over histories generated from integer scripts (see <see cref="History{T}"/>). Each check throws
/// <see cref="LawViolationException"/> (wrapped by CsCheck with the seed that replays it) on the first
/// violating case. Kept apart from the xunit class so that tests can run it against broken types.
/// </summary>
public sealed class LawChecker<T>(CrdtSpec<T> spec) where T : class, ICrdt<T>
{
    /// <summary>Cases per law: JARVIS_PROPERTY_ITERATIONS, else 150.</summary>
    public static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("JARVIS_PROPERTY_ITERATIONS"), out var n) && n > 0 ? n : 150;

    private static readonly Gen<int[]> Script = Gen.Int[0, 100_000].Array[0, 40];

    public void Commutativity() => Run(script =>
    {
        var h = new History<T>(spec, script);
        var (a, b) = (h.States[0], h.States[1]);
        Same(Joined(a, b), Joined(b, a), "join is commutative: a ⊔ b = b ⊔ a", h);
        Same(Joined(a, h.Deltas.Count > 0 ? h.Deltas[^1].Delta : b), Joined(h.Deltas.Count > 0 ? h.Deltas[^1].Delta : b, a), "join is commutative between a state and a delta", h);
    });

    public void Associativity() => Run(script =>
    {
        var h = new History<T>(spec, script);
        var (a, b, c) = (h.States[0], h.States[1], h.States[2]);
        Same(Joined(Joined(a, b), c), Joined(a, Joined(b, c)), "join is associative: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", h);
    });

    public void Idempotence() => Run(script =>
    {
        var h = new History<T>(spec, script);
        foreach (var state in h.States)
        {
            Same(Joined(state, state.Clone()), state, "join is idempotent: a ⊔ a = a", h);
            var self = state.Clone();
            self.Join(self);
            Same(self, state, "joining a state with itself (same reference) changes nothing", h);
        }
        foreach (var (_, delta) in h.Deltas)
        {
            Same(Joined(delta, delta.Clone()), delta, "join is idempotent on deltas: d ⊔ d = d", h);
        }
    });

    public void JoinReportsChange() => Run(script =>
    {
        // Replay a history's deltas into fresh replicas in shuffled order: every join must say whether it
        // changed the state, exactly. Replication drops a delta as redundant on the strength of it.
        var h = new History<T>(spec, script);
        var random = new Random(script.Length == 0 ? 0 : script[0]);
        var replica = T.CreateEmpty();
        var deliveries = h.Deltas.Select(d => d.Delta).Concat(h.States).Concat(h.Deltas.Select(d => d.Delta)).ToArray();
        random.Shuffle(deliveries);
        foreach (var incoming in deliveries)
        {
            var before = Bytes(replica);
            var changed = replica.Join(incoming);
            var after = Bytes(replica);
            if (changed != !before.AsSpan().SequenceEqual(after))
            {
                throw new LawViolationException($"join reports a change exactly when the state changes — it returned {changed} but the bytes {(changed ? "did not change" : "changed")}: {Hex(incoming)} into {Convert.ToHexString(before)}; history: {h.Log}");
            }
        }
    });

    public void BottomIsIdentity() => Run(script =>
    {
        var h = new History<T>(spec, script);
        foreach (var state in h.States)
        {
            Same(Joined(state, T.CreateEmpty()), state, "bottom is a right identity: a ⊔ ⊥ = a", h);
            Same(Joined(T.CreateEmpty(), state), state, "bottom is a left identity: ⊥ ⊔ a = a", h);
        }
    });

    public void DeltaMatchesMutation() => Run(Gen.Select(Script, Gen.Int[0, 100_000], Gen.Int[0, 100]), (script, choice, who) =>
    {
        var h = new History<T>(spec, script);
        var replica = who % h.Ids.Length;
        var before = h.States[replica].Clone();
        var delta = h.Mutate(replica, choice);
        var after = h.States[replica];
        Same(Joined(before, delta), after, "delta ≡ mutation: joining a mutator's delta into the prior state gives the mutated state", h);
        var shipped = CrdtEncoding.Decode<T>(CrdtEncoding.Encode(delta));
        Same(Joined(before, shipped), after, "delta ≡ mutation after the delta crosses the wire as bytes", h);
        Same(Joined(after, delta), after, "a delta is already contained in the state that produced it", h);
    });

    public void Convergence() => Run(Gen.Select(Script, Gen.Int), (script, shuffleSeed) =>
    {
        var h = new History<T>(spec, script);
        var random = new Random(shuffleSeed);
        var reference = T.CreateEmpty();
        foreach (var (_, delta) in h.Deltas)
        {
            reference.Join(delta);
        }
        for (var r = 0; r < h.States.Length; r++)
        {
            // Every delta, shuffled, some twice, some as delta-groups, and one late redelivery at the end.
            var deliveries = h.Deltas.Select(d => d.Delta).ToList();
            deliveries.AddRange(h.Deltas.Where(_ => random.Next(3) == 0).Select(d => d.Delta));
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));
            for (var i = 0; i < deliveries.Count; i++)
            {
                if (i + 1 < deliveries.Count && random.Next(4) == 0)
                {
                    h.States[r].Join(Joined(deliveries[i], deliveries[i + 1]));
                    i++;
                }
                else
                {
                    h.States[r].Join(deliveries[i]);
                }
            }
            if (deliveries.Count > 0)
            {
                h.States[r].Join(deliveries[random.Next(deliveries.Count)]);
            }
        }
        var failures = new List<string>();
        var expected = Bytes(reference);
        for (var r = 0; r < h.States.Length; r++)
        {
            if (!Bytes(h.States[r]).AsSpan().SequenceEqual(expected))
            {
                failures.Add($"replica {r} = {spec.Observe(h.States[r])} [{Hex(h.States[r])}] but the join of all deltas = {spec.Observe(reference)} [{Convert.ToHexString(expected)}]");
            }
            else if (spec.Observe(h.States[r]) != spec.Observe(reference))
            {
                failures.Add($"replica {r} has the same bytes but a different value: {spec.Observe(h.States[r])} vs {spec.Observe(reference)}");
            }
        }
        if (failures.Count > 0)
        {
            throw new LawViolationException($"replicas converge after every delta is delivered in any order with duplicates — {string.Join(" | ", failures)}; history: {h.Log}");
        }
    });

    public void EncodingRoundTrips() => Run(script =>
    {
        var h = new History<T>(spec, script);
        foreach (var value in h.States.Concat(h.Deltas.Select(d => d.Delta)))
        {
            var bytes = CrdtEncoding.Encode(value);
            var decoded = CrdtEncoding.Decode<T>(bytes);
            if (!CrdtEncoding.Encode(decoded).AsSpan().SequenceEqual(bytes))
            {
                throw new LawViolationException($"decode then encode gives the same bytes — {Convert.ToHexString(bytes)} became {Hex(decoded)}; history: {h.Log}");
            }
            if (spec.Observe(decoded) != spec.Observe(value))
            {
                throw new LawViolationException($"decoding preserves the value — {spec.Observe(value)} became {spec.Observe(decoded)}; history: {h.Log}");
            }
            if (!CrdtEncoding.Encode(value.Clone()).AsSpan().SequenceEqual(bytes))
            {
                throw new LawViolationException($"equal states give equal bytes — a clone encodes differently; history: {h.Log}");
            }
        }
    });

    public void DecoderRejectsTruncation() => Run(script =>
    {
        var h = new History<T>(spec, script);
        var bytes = CrdtEncoding.Encode(h.States[0]);
        for (var length = 0; length < bytes.Length; length++)
        {
            try
            {
                CrdtEncoding.Decode<T>(bytes.AsSpan(0, length));
                throw new LawViolationException($"a truncated encoding is rejected — the first {length} of {bytes.Length} bytes decoded: {Convert.ToHexString(bytes)}");
            }
            catch (CrdtDecodeException)
            {
            }
        }
    });

    public void DecoderRejectsGarbage() => Run(Gen.Select(Script, Gen.Byte.Array[0, 48], Gen.Int[0, 1000]), (script, noise, position) =>
    {
        // Three kinds of hostile input: pure noise, noise behind a valid header, and a valid encoding
        // with its bytes flipped or overwritten by noise.
        var h = new History<T>(spec, script);
        var valid = CrdtEncoding.Encode(h.States[0]);
        var withHeader = valid.AsSpan(0, Math.Min(2, valid.Length)).ToArray().Concat(noise).ToArray();
        var corrupted = (byte[])valid.Clone();
        for (var i = 0; i < noise.Length && corrupted.Length > 0; i++)
        {
            corrupted[(position + (i * 7)) % corrupted.Length] ^= noise[i];
        }
        foreach (var input in new[] { noise, withHeader, corrupted })
        {
            try
            {
                CrdtEncoding.Decode<T>(input);
            }
            catch (CrdtDecodeException)
            {
            }
            catch (Exception e)
            {
                throw new LawViolationException($"hostile bytes are rejected with CrdtDecodeException only — {Convert.ToHexString(input)} threw {e.GetType().Name}: {e.Message}");
            }
        }
    });

    public void DecoderRefusesNearCanonicalEncodings() => Run(Gen.Select(Script, Gen.Int), (script, seed) =>
    {
        // Hostile bytes that are one edit away from a valid encoding, the forms a decoder that skips one of
        // its checks lets through: a byte appended must be refused; any other edit may only be accepted if
        // it is itself the canonical encoding of some state (a byte cut from a 300-count can spell a
        // 2-count), so a non-minimal varint, swapped or duplicated entries and counts off by one, which
        // would decode to a state that encodes differently, are refused.
        var h = new History<T>(spec, script);
        var random = new Random(seed);
        var failures = new List<string>();
        var state = h.States[random.Next(h.States.Length)];
        T[] values = h.Deltas.Count == 0 ? [state] : [state, h.Deltas[random.Next(h.Deltas.Count)].Delta];
        foreach (var value in values)
        {
            var valid = Bytes(value);
            foreach (var (edit, input) in NearCanonical(valid, random))
            {
                T decoded;
                try
                {
                    decoded = CrdtEncoding.Decode<T>(input);
                }
                catch (CrdtDecodeException)
                {
                    continue;
                }
                catch (Exception e)
                {
                    failures.Add($"{edit}: {Convert.ToHexString(input)} threw {e.GetType().Name} instead of CrdtDecodeException: {e.Message}");
                    continue;
                }
                var again = Bytes(decoded);
                if (input.Length > valid.Length && input.AsSpan(0, valid.Length).SequenceEqual(valid))
                {
                    failures.Add($"{edit}: {Convert.ToHexString(input)} was accepted with a trailing byte");
                }
                else if (!again.AsSpan().SequenceEqual(input))
                {
                    failures.Add($"{edit}: {Convert.ToHexString(input)} was accepted although its state encodes as {Convert.ToHexString(again)}");
                }
            }
            if (failures.Count > 0)
            {
                throw new LawViolationException($"the decoder accepts only canonical encodings: an edit of valid bytes {Convert.ToHexString(valid)} is refused with CrdtDecodeException or is itself canonical — {string.Join(" | ", failures.Take(5))}; history: {h.Log}");
            }
        }
    });

    private static void Run(Action<int[]> law) => Script.Sample(law, iter: Iterations, threads: 1);

    private static void Run<TInput>(Gen<TInput> gen, Action<TInput> law) => gen.Sample(law, iter: Iterations, threads: 1);

    private static void Run<T1, T2>(Gen<(T1, T2)> gen, Action<T1, T2> law) => gen.Sample(law, iter: Iterations, threads: 1);

    private static void Run<T1, T2, T3>(Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> law) => gen.Sample(law, iter: Iterations, threads: 1);

    /// <summary>
    /// One-edit variants of a valid encoding: at every position (at 48 sampled ones in a long encoding) a
    /// byte cut, a byte ±1 (a one-byte length or count off by one), the varint ending there re-spelled with
    /// a redundant continuation byte, and the one or two bytes there swapped with the next ones (two sorted
    /// entries exchanged); then some blocks duplicated in place with an earlier byte raised by one (an entry
    /// written twice and its count raised to match), and a byte appended.
    /// </summary>
    private static IEnumerable<(string Edit, byte[] Input)> NearCanonical(byte[] valid, Random random)
    {
        var positions = valid.Length <= 48
            ? Enumerable.Range(0, valid.Length)
            : Enumerable.Range(0, 48).Select(_ => random.Next(valid.Length)).Distinct().Order();
        foreach (var i in positions)
        {
            yield return ($"byte {i} cut", [.. valid.AsSpan(0, i), .. valid.AsSpan(i + 1)]);
            foreach (var step in new[] { 1, -1 })
            {
                var changed = (byte[])valid.Clone();
                changed[i] = unchecked((byte)(changed[i] + step));
                yield return ($"byte {i} {(step > 0 ? "+1" : "-1")}", changed);
            }
            if (valid[i] < 0x80)
            {
                yield return ($"varint ending at byte {i} not minimal", [.. valid.AsSpan(0, i), (byte)(valid[i] | 0x80), 0x00, .. valid.AsSpan(i + 1)]);
            }
            for (var width = 1; width <= 2 && i + (2 * width) <= valid.Length; width++)
            {
                if (!valid.AsSpan(i, width).SequenceEqual(valid.AsSpan(i + width, width)))
                {
                    yield return ($"bytes {i}..{i + width - 1} swapped with the next {width}", [.. valid.AsSpan(0, i), .. valid.AsSpan(i + width, width), .. valid.AsSpan(i, width), .. valid.AsSpan(i + (2 * width))]);
                }
            }
        }
        for (var n = 0; n < 16 && valid.Length > 3; n++)
        {
            var start = random.Next(2, valid.Length);
            var length = Math.Min(1 + random.Next(6), valid.Length - start);
            var count = random.Next(2, start + 1);
            byte[] duplicated = [.. valid.AsSpan(0, start + length), .. valid.AsSpan(start)];
            duplicated[count - 1] = unchecked((byte)(duplicated[count - 1] + 1));
            yield return ($"bytes {start}..{start + length - 1} written twice and byte {count - 1} +1", duplicated);
        }
        yield return ("a byte appended", [.. valid, (byte)random.Next(256)]);
    }

    private static T Joined(T a, T b)
    {
        var result = a.Clone();
        result.Join(b);
        return result;
    }

    private static byte[] Bytes(T value) => CrdtEncoding.Encode(value);

    private static string Hex(T value) => Convert.ToHexString(Bytes(value));

    private void Same(T actual, T expected, string law, History<T> history)
    {
        if (!Bytes(actual).AsSpan().SequenceEqual(Bytes(expected)))
        {
            throw new LawViolationException($"{law} — got {spec.Observe(actual)} [{Hex(actual)}], expected {spec.Observe(expected)} [{Hex(expected)}]; history: {history.Log}");
        }
    }
}
