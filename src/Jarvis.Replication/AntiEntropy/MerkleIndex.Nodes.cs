using System.Diagnostics;

namespace Jarvis.Replication.AntiEntropy;

internal sealed partial class MerkleIndex
{
    /// <summary>The digests of a node's children, in child order (child <c>i</c> extends the prefix by <c>i</c>).</summary>
    /// <param name="path">An inner node: its level below the deepest (<c>64 / log2(fan-out)</c>).</param>
    /// <returns><see cref="FanOut"/> digests; zero for an empty child.</returns>
    /// <exception cref="ArgumentException">The path does not name an inner node of this fan-out.</exception>
    public UInt128[] GetNodeDigests(MerkleNodePath path)
    {
        if (!_shape.IsValid(path) || path.Level >= _shape.MaxLevel)
        {
            throw new ArgumentException($"{path} is not an inner node of a tree of fan-out {FanOut}.", nameof(path));
        }
        var digests = new UInt128[FanOut];
        ChildDigests(path, digests);
        return digests;
    }

    /// <summary>The keys below a node with their state digests, ordered by key hash, then key (ordinal).</summary>
    /// <param name="path">Any node; the root lists every key.</param>
    /// <exception cref="ArgumentException">The path does not name a node of this fan-out.</exception>
    public MerkleLeafEntry[] GetLeafEntries(MerkleNodePath path)
    {
        if (!_shape.IsValid(path))
        {
            throw new ArgumentException($"{path} is not a node of a tree of fan-out {FanOut}.", nameof(path));
        }
        var entries = new List<MerkleLeafEntry>();
        for (var cursor = new SlotCursor(this, path); cursor.MoveNext();)
        {
            var slot = cursor.Current;
            entries.Add(new MerkleLeafEntry(_keyHashes[slot], _keys[slot]!, _digests[slot]));
        }
        entries.Sort(static (a, b) =>
        {
            var byHash = a.KeyHash.CompareTo(b.KeyHash);
            return byHash != 0 ? byHash : string.CompareOrdinal(a.Key, b.Key);
        });
        return [.. entries];
    }

    /// <summary>The digest of any node: stored above the bottom buckets, computed from a bucket below.</summary>
    internal UInt128 NodeDigest(MerkleNodePath path)
    {
        Debug.Assert(_shape.IsValid(path));
        if (path.Level < _depth)
        {
            return _nodeDigests[_levelOffsets[path.Level] + (int)path.Prefix];
        }
        UInt128 digest = 0;
        for (var cursor = new SlotCursor(this, path); cursor.MoveNext();)
        {
            digest ^= EntryHashAt(cursor.Current);
        }
        return digest;
    }

    /// <summary>The number of keys below any node.</summary>
    internal int NodeCount(MerkleNodePath path)
    {
        Debug.Assert(_shape.IsValid(path));
        if (path.Level < _depth)
        {
            return _nodeCounts[_levelOffsets[path.Level] + (int)path.Prefix];
        }
        var count = 0;
        for (var cursor = new SlotCursor(this, path); cursor.MoveNext();)
        {
            count++;
        }
        return count;
    }

    /// <summary>Writes the digests of an inner node's children.</summary>
    internal void ChildDigests(MerkleNodePath path, Span<UInt128> destination)
    {
        Debug.Assert(_shape.IsValid(path) && path.Level < _shape.MaxLevel && destination.Length == FanOut);
        var childLevel = path.Level + 1;
        if (childLevel < _depth)
        {
            var first = _levelOffsets[childLevel] + (int)(path.Prefix << _shape.Bits);
            _nodeDigests.AsSpan(first, FanOut).CopyTo(destination);
            return;
        }
        destination.Clear();
        var childMask = (ulong)FanOut - 1;
        for (var cursor = new SlotCursor(this, path); cursor.MoveNext();)
        {
            var slot = cursor.Current;
            var child = (int)(_shape.PrefixOf(_keyHashes[slot], childLevel) & childMask);
            destination[child] ^= EntryHashAt(slot);
        }
    }

    /// <summary>Appends the keys below a node with their wire digests, ordered as they go on the wire.</summary>
    internal void CollectEntryDigests(MerkleNodePath path, List<(MerkleEntryDigest Digest, string Key)> entries)
    {
        Debug.Assert(_shape.IsValid(path));
        var start = entries.Count;
        for (var cursor = new SlotCursor(this, path); cursor.MoveNext();)
        {
            var slot = cursor.Current;
            entries.Add((new MerkleEntryDigest(_keyHashes[slot], EntryHashAt(slot)), _keys[slot]!));
        }
        entries.Sort(start, entries.Count - start, EntryOrder.Instance);
    }

    /// <summary>Appends every key whose placement hash is <paramref name="keyHash"/> (normally one, or none).</summary>
    internal void CollectKeys(ulong keyHash, ICollection<string> keys)
    {
        for (var link = _buckets[BucketOf(keyHash)]; link != 0; link = _next[link - 1])
        {
            if (_keyHashes[link - 1] == keyHash)
            {
                keys.Add(_keys[link - 1]!);
            }
        }
    }

    private UInt128 EntryHashAt(int slot) => EntryHashOf(_keyHasher(_keys[slot]!), _digests[slot]);

    /// <summary>Walks the slots below a node: every bucket under it, or the one bucket above it, filtered.</summary>
    private struct SlotCursor
    {
        private readonly MerkleIndex _index;
        private readonly MerkleNodePath _path;
        private readonly bool _filter;
        private readonly int _endBucket;
        private int _bucket;
        private int _link;

        public SlotCursor(MerkleIndex index, MerkleNodePath path)
        {
            _index = index;
            _path = path;
            var bits = index._shape.Bits;
            if (path.Level <= index._depth)
            {
                var span = bits * (index._depth - path.Level);
                _bucket = (int)(path.Prefix << span);
                _endBucket = _bucket + (1 << span);
                _filter = false;
            }
            else
            {
                // Below the buckets: one bucket holds the node, alongside its siblings.
                _bucket = (int)(path.Prefix >> (bits * (path.Level - index._depth)));
                _endBucket = _bucket + 1;
                _filter = true;
            }
            _link = 0;
            Current = -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (true)
            {
                if (_link != 0)
                {
                    var slot = _link - 1;
                    _link = _index._next[slot];
                    if (!_filter || _index._shape.Contains(_path, _index._keyHashes[slot]))
                    {
                        Current = slot;
                        return true;
                    }
                    continue;
                }
                if (_bucket >= _endBucket)
                {
                    return false;
                }
                _link = _index._buckets[_bucket++];
            }
        }
    }

    private sealed class EntryOrder : IComparer<(MerkleEntryDigest Digest, string Key)>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare((MerkleEntryDigest Digest, string Key) x, (MerkleEntryDigest Digest, string Key) y)
        {
            var byDigest = x.Digest.CompareTo(y.Digest);
            return byDigest != 0 ? byDigest : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
