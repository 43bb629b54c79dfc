using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// Seeded decoder fuzzing: random bytes and mutated valid encodings must decode or throw
/// <see cref="CrdtDecodeException"/>, nothing else; what decodes must be canonical (encode back to the same
/// bytes), and no input may allocate much. A fixed seed runs in CI; JARVIS_FUZZ_ITERATIONS=N runs N
/// inputs per type and kind for a long run.
/// </summary>
public sealed class EncodingFuzzTests
{
    private const int Seed = 20_250_101;
    private const int DefaultIterations = 2_000;
    private const long AllocationBound = 1_000_000;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFE, 0xFF];

    public static TheoryData<string> TypeNames => [.. SampleStates.All.Select(t => t.Name)];

    private static int Iterations
        => int.TryParse(Environment.GetEnvironmentVariable("JARVIS_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : DefaultIterations;

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Random_bytes_decode_or_throw_CrdtDecodeException(string typeName)
    {
        var (type, seed) = Select(typeName, salt: 1);
        var random = new Random(seed);
        var header = type.Golden[..2];
        var failures = new List<string>();
        for (var i = 0; i < Iterations; i++)
        {
            var input = new byte[random.Next(0, 48)];
            random.NextBytes(input);
            if (input.Length >= 2 && random.Next(4) != 0)
            {
                // Most inputs get a valid header, or the decoder would only ever see the header check.
                header.CopyTo(input, 0);
                SkewTowardsSmallNumbers(random, input.AsSpan(2));
            }
            Check(type, input, $"seed {seed} iteration {i}", failures);
        }
        Assert.True(failures.Count == 0, Report(typeName, failures));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Mutated_encodings_decode_or_throw_CrdtDecodeException(string typeName)
    {
        var (type, seed) = Select(typeName, salt: 2);
        var random = new Random(seed);
        var failures = new List<string>();
        for (var i = 0; i < Iterations; i++)
        {
            var input = new List<byte>(type.Samples[random.Next(type.Samples.Length)]);
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                Mutate(random, input);
            }
            Check(type, [.. input], $"seed {seed} iteration {i}", failures);
        }
        Assert.True(failures.Count == 0, Report(typeName, failures));
    }

    private static (EncodedType Type, int Seed) Select(string typeName, int salt)
    {
        var index = SampleStates.All.Select(t => t.Name).ToList().IndexOf(typeName);
        return (SampleStates.All[index], Seed + (index * 16) + salt);
    }

    private static void Check(EncodedType type, byte[] input, string where, List<string> failures)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        string? failure;
        try
        {
            var again = type.RoundTrip(input);
            failure = again.AsSpan().SequenceEqual(input)
                ? null
                : $"accepted a non-canonical encoding that re-encodes as {Convert.ToHexString(again)}";
        }
        catch (CrdtDecodeException)
        {
            failure = null;
        }
        catch (Exception e)
        {
            failure = $"threw {e.GetType().Name}: {e.Message}";
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (failure is null && allocated > AllocationBound)
        {
            failure = $"allocated {allocated} bytes";
        }
        if (failure is not null)
        {
            failures.Add($"{where}: input {Convert.ToHexString(input)} {failure}");
        }
    }

    /// <summary>Random bytes are mostly huge varints; halve most of them so that counts and lengths are plausible.</summary>
    private static void SkewTowardsSmallNumbers(Random random, Span<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (random.Next(3) != 0)
            {
                bytes[i] &= 0x07;
            }
        }
    }

    private static void Mutate(Random random, List<byte> bytes)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(7))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 2:
                bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                break;
            case 3 when bytes.Count > 0:
                bytes.RemoveAt(at);
                break;
            case 4 when bytes.Count > 0:
                bytes[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 5 when bytes.Count > 0:
                var length = random.Next(1, Math.Min(8, bytes.Count - at) + 1);
                bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(at, length));
                break;
            default:
                bytes.Insert(random.Next(bytes.Count + 1), InterestingBytes[random.Next(InterestingBytes.Length)]);
                break;
        }
    }

    private static string Report(string typeName, List<string> failures)
        => $"every input decodes canonically or throws CrdtDecodeException, without large allocations ({typeName}, {failures.Count} failures):\n"
           + string.Join("\n", failures.Take(10));
}
