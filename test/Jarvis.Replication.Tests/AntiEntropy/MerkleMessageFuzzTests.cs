using Jarvis.Crdt.Encoding;
using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

/// <summary>
/// Seeded decoder fuzzing: random bytes and mutated real messages must decode or throw
/// <see cref="CrdtDecodeException"/>, nothing else, and what decodes must encode back to the same bytes.
/// A fixed seed runs in CI; JARVIS_FUZZ_ITERATIONS=N runs N inputs per kind for a long run.
/// </summary>
public sealed class MerkleMessageFuzzTests
{
    private const int Seed = 20_261_124;

    private static int Iterations
        => int.TryParse(Environment.GetEnvironmentVariable("JARVIS_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 5_000;

    [Fact]
    public void Random_bytes_decode_or_throw_CrdtDecodeException()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var decoded = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var input = new byte[random.Next(0, 80)];
            random.NextBytes(input);
            if (input.Length >= 3 && random.Next(4) != 0)
            {
                // Mostly a valid header, small counts and levels, or the decoder never gets past the first bytes.
                input[0] = (byte)random.Next(1, 3);
                input[1] = (byte)random.Next(4, 7);
                input[2] = (byte)random.Next(2);
                for (var b = 3; b < input.Length; b++)
                {
                    if (random.Next(3) == 0)
                    {
                        input[b] = (byte)random.Next(4);
                    }
                }
            }
            decoded += Check(input, $"seed {Seed} iteration {i}", failures) ? 1 : 0;
        }
        // Random bytes seldom have exactly the length their counts call for; a few in a thousand decode.
        Assert.True(decoded >= Iterations / 1_000, $"only {decoded} of {Iterations} inputs decoded: the fuzzer never gets past the header");
        Assert.True(failures.Count == 0, "random bytes decode canonically or throw CrdtDecodeException:\n" + string.Join('\n', failures.Take(20)));
    }

    [Fact]
    public void Mutated_messages_decode_or_throw_CrdtDecodeException()
    {
        var random = new Random(Seed + 1);
        var samples = MerkleMessageEncodingTests.SampleMessages();
        var failures = new List<string>();
        var decoded = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var input = new List<byte>(samples[random.Next(samples.Count)]);
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(input.Count + 1);
                switch (random.Next(4))
                {
                    case 0 when at < input.Count:
                        input[at] = (byte)random.Next(256);
                        break;
                    case 1 when at < input.Count:
                        input.RemoveAt(at);
                        break;
                    case 2:
                        input.Insert(at, (byte)random.Next(256));
                        break;
                    default:
                        if (at < input.Count)
                        {
                            input[at] ^= (byte)(1 << random.Next(8));
                        }
                        break;
                }
            }
            decoded += Check([.. input], $"seed {Seed + 1} iteration {i}", failures) ? 1 : 0;
        }
        Assert.True(decoded > Iterations / 100, $"only {decoded} of {Iterations} inputs decoded: the mutations never keep a message valid");
        Assert.True(failures.Count == 0, "mutated messages decode canonically or throw CrdtDecodeException:\n" + string.Join('\n', failures.Take(20)));
    }

    /// <summary>Decodes one input; returns whether it decoded.</summary>
    private static bool Check(byte[] input, string where, List<string> failures)
    {
        try
        {
            var again = MerkleMessage.Decode(input).ToArray();
            if (!again.AsSpan().SequenceEqual(input))
            {
                failures.Add($"{where}: {Convert.ToHexString(input)} decodes but re-encodes differently");
            }
            return true;
        }
        catch (CrdtDecodeException)
        {
            return false;
        }
        catch (Exception e)
        {
            failures.Add($"{where}: {Convert.ToHexString(input)} threw {e.GetType().Name}: {e.Message}");
            return false;
        }
    }
}
