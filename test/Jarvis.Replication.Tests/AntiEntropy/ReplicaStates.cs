using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Replication.Tests.AntiEntropy;

/// <summary>
/// A reference model of one replica for the comparison tests: key → state bytes in a plain dictionary,
/// from which an index is built and against which a brute-force diff is taken.
/// </summary>
internal sealed class ReplicaStates
{
    public Dictionary<string, byte[]> States { get; } = new(StringComparer.Ordinal);

    public ReplicaStates Clone()
    {
        var copy = new ReplicaStates();
        foreach (var (key, state) in States)
        {
            copy.States[key] = state;
        }
        return copy;
    }

    /// <summary>Builds an index holding every state, inserted in the given order of keys (default: ordinal).</summary>
    public MerkleIndex BuildIndex(int fanOut = MerkleIndex.DefaultFanOut, IEnumerable<string>? order = null, Func<string, UInt128>? keyHasher = null)
    {
        var index = keyHasher is null ? new MerkleIndex(fanOut) : new MerkleIndex(fanOut, keyHasher);
        foreach (var key in order ?? States.Keys.Order(StringComparer.Ordinal))
        {
            index.Set(key, States[key]);
        }
        return index;
    }

    /// <summary>The keys this replica must send to <paramref name="peer"/>: those the peer lacks or holds in another state.</summary>
    public SortedSet<string> KeysToSendTo(ReplicaStates peer)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, state) in States)
        {
            if (!peer.States.TryGetValue(key, out var theirs) || !theirs.AsSpan().SequenceEqual(state))
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    public static byte[] RandomState(Random random)
    {
        var state = new byte[random.Next(16, 33)];
        random.NextBytes(state);
        return state;
    }

    /// <summary>Two replicas sharing <paramref name="shared"/> keys, then differing in the given ways.</summary>
    public static (ReplicaStates A, ReplicaStates B) Diverged(Random random, int shared, int changed, int onlyOnA, int onlyOnB)
    {
        var a = new ReplicaStates();
        for (var i = 0; i < shared; i++)
        {
            a.States[$"key-{i}"] = RandomState(random);
        }
        var b = a.Clone();
        var keys = a.States.Keys.Order(StringComparer.Ordinal).ToArray();
        random.Shuffle(keys);
        var next = 0;
        for (var i = 0; i < changed && next < keys.Length; i++)
        {
            b.States[keys[next++]] = RandomState(random);
        }
        for (var i = 0; i < onlyOnA && next < keys.Length; i++)
        {
            b.States.Remove(keys[next++]);
        }
        for (var i = 0; i < onlyOnB; i++)
        {
            b.States[$"new-{i}"] = RandomState(random);
        }
        return (a, b);
    }
}
