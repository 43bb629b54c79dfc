using System.Buffers.Binary;
using System.Diagnostics;
using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Bench.AntiEntropy;

/// <summary>
/// Two replicas' indexes over the same seeded states, then made to differ key by key: each new difference
/// is, in turn, a changed state, a key only replica A holds, and a key only replica B holds. States are
/// 16 to 32 pseudo-random bytes derived from the key number and a version, so nothing but the keys is kept.
/// </summary>
internal sealed class DivergedReplicas
{
    private const ulong Seed = 0x5EED_0004;

    private readonly string[] _keys;
    private readonly Random _picker = new(4);
    private readonly HashSet<int> _touched = [];
    private int _added;

    private DivergedReplicas(string[] keys, MerkleIndex a, MerkleIndex b, double buildMilliseconds, long indexBytes)
    {
        _keys = keys;
        A = a;
        B = b;
        BuildMilliseconds = buildMilliseconds;
        IndexBytes = indexBytes;
    }

    public MerkleIndex A { get; }

    public MerkleIndex B { get; }

    /// <summary>Wall time to build replica A's index from nothing.</summary>
    public double BuildMilliseconds { get; }

    /// <summary>Managed heap growth from building replica A's index (keys excluded: they exist beforehand).</summary>
    public long IndexBytes { get; }

    /// <summary>Keys A must send: changed ones and those only A holds.</summary>
    public SortedSet<string> ExpectedFromA { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys B must send: changed ones and those only B holds.</summary>
    public SortedSet<string> ExpectedFromB { get; } = new(StringComparer.Ordinal);

    public int Differing => _touched.Count + _added;

    public static string[] MakeKeys(int count)
    {
        var keys = new string[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = $"object/{i:D7}";
        }
        return keys;
    }

    public static DivergedReplicas Build(string[] keys, int fanOut)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var a = Fill(new MerkleIndex(fanOut), keys);
        var buildMilliseconds = clock.Elapsed.TotalMilliseconds;
        var indexBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var b = Fill(new MerkleIndex(fanOut), keys);
        return new DivergedReplicas(keys, a, b, buildMilliseconds, indexBytes);
    }

    /// <summary>Adds differences until <paramref name="total"/> keys differ.</summary>
    public void DivergeTo(int total)
    {
        Span<byte> state = stackalloc byte[32];
        while (Differing < total)
        {
            switch (Differing % 3)
            {
                case 0:
                    var changed = PickUntouched();
                    B.Set(_keys[changed], State(changed, version: 1, state));
                    ExpectedFromA.Add(_keys[changed]);
                    ExpectedFromB.Add(_keys[changed]);
                    break;
                case 1:
                    var removed = PickUntouched();
                    B.Remove(_keys[removed]);
                    ExpectedFromA.Add(_keys[removed]);
                    break;
                default:
                    var key = $"added/{_added}";
                    B.Set(key, State(_keys.Length + _added, version: 0, state));
                    _added++;
                    ExpectedFromB.Add(key);
                    break;
            }
        }
    }

    private int PickUntouched()
    {
        while (true)
        {
            var candidate = _picker.Next(_keys.Length);
            if (_touched.Add(candidate))
            {
                return candidate;
            }
        }
    }

    private static MerkleIndex Fill(MerkleIndex index, string[] keys)
    {
        Span<byte> state = stackalloc byte[32];
        for (var i = 0; i < keys.Length; i++)
        {
            index.Set(keys[i], State(i, version: 0, state));
        }
        return index;
    }

    /// <summary>16 to 32 bytes determined by the key number and version (SplitMix64).</summary>
    private static ReadOnlySpan<byte> State(int key, int version, Span<byte> buffer)
    {
        var x = Seed ^ ((ulong)key << 8) ^ (ulong)version;
        var length = 16 + (int)(Next(ref x) % 17);
        for (var i = 0; i < length; i += 8)
        {
            var word = Next(ref x);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[i..], word);
        }
        return buffer[..length];
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E37_79B9_7F4A_7C15;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }
}
