using System.Collections.Concurrent;

namespace Jarvis.Crdt;

/// <summary>
/// Decoded definitions, shared by canonical bytes. Every state and delta carries its definition, so without this each
/// decode would re-validate it (for a plan, a topological sort and the transitive dependencies of every step). Keyed by
/// fingerprint and confirmed by comparing bytes; cleared when it passes <see cref="Capacity"/> entries, so hostile input
/// cannot grow it without bound. Thread-safe.
/// </summary>
/// <typeparam name="T">The definition type.</typeparam>
internal static class DefinitionCache<T> where T : class
{
    public const int Capacity = 256;

    private static readonly ConcurrentDictionary<ulong, (byte[] Canonical, T Definition)> Entries = new();

    public static T GetOrAdd(ReadOnlySpan<byte> canonical, Func<T> create)
    {
        var fingerprint = DefinitionFingerprint.Of(canonical);
        if (Entries.TryGetValue(fingerprint, out var entry) && entry.Canonical.AsSpan().SequenceEqual(canonical))
        {
            return entry.Definition;
        }
        var definition = create();
        if (Entries.Count >= Capacity)
        {
            Entries.Clear();
        }
        Entries[fingerprint] = (canonical.ToArray(), definition);
        return definition;
    }
}
