using System.Diagnostics;

namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// A Merkle tree over the states of one replica's objects: maps each key to a 128-bit digest of its
/// state, so that two replicas holding N keys that differ in k find those k keys with
/// <see cref="MerkleComparison"/> in O(k log N) bytes and one message per level instead of shipping
/// N digests.
/// </summary>
/// <remarks>
/// <para>
/// <b>Shape.</b> A key is placed by its 64-bit hash (<see cref="KeyHashOf"/>) into a trie of fixed fan-out
/// (16 by default; 32 or 64 by choice, the same on every replica): the node at level L holds the keys
/// whose hashes share their top <c>log2(fan-out) × L</c> bits (<see cref="MerkleNodePath"/>). The levels
/// down to a depth that grows with the count (at most 4 keys per bottom bucket on average: depth 5 at
/// fan-out 16 for a million keys) are stored as arrays of digests and counts; deeper nodes are computed
/// from the few keys in their bucket.
/// </para>
/// <para>
/// <b>Digests.</b> Each key contributes an entry hash, a 128-bit XxHash128 of its full 128-bit key hash
/// and its state digest; a node's digest is the XOR of the entry hashes of all keys below it. XOR makes
/// an update cost O(depth): the change of one entry hash is XORed into each of its ancestors, with no
/// child digests to re-read and no lazy recomputation pass. It also makes a node's digest a function of
/// the set of (key, state) pairs below it alone, independent of insertion order and of how deep the tree
/// is materialised, so replicas of very different sizes compare node for node. Unequal sets give equal
/// digests with probability 2^-128 per node; the hashes are XxHash with fixed seeds (not keyed), so the
/// tree guards against accidents among cooperating replicas, not against an adversary choosing keys.
/// </para>
/// <para>
/// <b>Determinism.</b> Two indexes holding the same keys with the same digests have the same digest at
/// every node and list the same entries, whatever the order of updates. Keys are hashed as UTF-16
/// code units (little-endian), so any string, lone surrogates included, is a distinct key.
/// </para>
/// <para>
/// <b>Memory.</b> About 36 bytes per key (key reference, key hash, digest, chain link) in arrays that
/// double as the index grows, plus 4 bytes per bottom bucket and 20 per stored inner node; the key strings
/// are the caller's. Removing keys frees their slots for reuse but never shrinks the tree.
/// </para>
/// <para>
/// <b>Thread safety.</b> Not thread-safe: a writer must not run concurrently with anything else.
/// Concurrent readers alone are safe.
/// </para>
/// </remarks>
internal sealed partial class MerkleIndex
{
    /// <summary>The default fan-out, chosen by the <c>antientropy</c> benchmark (docs/benchmarks.md).</summary>
    public const int DefaultFanOut = 16;

    // Grow the tree by a level when the bottom buckets average more than this many keys.
    private const int LoadFactor = 4;

    // The bottom level never has more than 2^24 buckets (64 MiB of chain heads), whatever the count.
    private const int MaxBucketBits = 24;

    private const int InitialCapacity = 16;

    private readonly MerkleShape _shape;
    private readonly Func<string, UInt128> _keyHasher;
    private readonly int _maxDepth;

    // Levels 0 .. _depth-1 are stored; the keys are chained in buckets that are the nodes of level _depth.
    private int _depth;

    // _levelOffsets[L] is where level L starts in _nodeDigests and _nodeCounts; one more entry marks the end.
    private int[] _levelOffsets;
    private UInt128[] _nodeDigests;
    private int[] _nodeCounts;

    // Chain heads and links hold slot + 1, so that 0 (a fresh array) means "none".
    private int[] _buckets;
    private string?[] _keys;
    private ulong[] _keyHashes;
    private UInt128[] _digests;
    private int[] _next;
    private int _used;
    private int _freeHead;
    private int _count;

    /// <summary>Creates an empty index with the default fan-out of 16.</summary>
    public MerkleIndex()
        : this(DefaultFanOut)
    {
    }

    /// <summary>Creates an empty index.</summary>
    /// <param name="fanOut">16, 32 or 64; replicas that compare must use the same.</param>
    /// <exception cref="ArgumentOutOfRangeException">Another fan-out.</exception>
    public MerkleIndex(int fanOut)
        : this(fanOut, KeyHash128)
    {
    }

    /// <summary>Creates an index with a substitute key hash, for tests that need colliding hashes.</summary>
    internal MerkleIndex(int fanOut, Func<string, UInt128> keyHasher)
    {
        _shape = MerkleShape.FromFanOut(fanOut);
        _keyHasher = keyHasher;
        _maxDepth = MaxBucketBits / _shape.Bits;
        _depth = 1;
        _levelOffsets = [0, 1];
        _nodeDigests = new UInt128[1];
        _nodeCounts = new int[1];
        _buckets = new int[_shape.FanOut];
        _keys = new string?[InitialCapacity];
        _keyHashes = new ulong[InitialCapacity];
        _digests = new UInt128[InitialCapacity];
        _next = new int[InitialCapacity];
    }

    /// <summary>Children per inner node: 16, 32 or 64.</summary>
    public int FanOut => _shape.FanOut;

    /// <summary>The number of keys held.</summary>
    public int Count => _count;

    /// <summary>The digest of the whole index: the XOR of every key's entry hash; zero when empty.</summary>
    public UInt128 RootDigest => _nodeDigests[0];

    internal MerkleShape Shape => _shape;

    /// <summary>The level of the bottom buckets; the levels above it are stored.</summary>
    internal int MaterializedDepth => _depth;

    /// <summary>Sets a key's state from its canonical bytes, which are hashed with <see cref="DigestOf"/>.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="stateBytes">The state's canonical encoding; equal states must give equal bytes.</param>
    /// <remarks>O(depth) after hashing the key and the state.</remarks>
    public void Set(string key, ReadOnlySpan<byte> stateBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        SetDigest(key, DigestOf(stateBytes));
    }

    /// <summary>Sets a key's state digest, adding the key if it is new. Setting the same digest again is free.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="digest">A digest of the state; equal states must give equal digests on every replica.</param>
    /// <remarks>O(depth) after hashing the key, amortised over the occasional growth by a level.</remarks>
    public void SetDigest(string key, UInt128 digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        var fullHash = _keyHasher(key);
        var keyHash = PlacementOf(fullHash);
        var slot = Find(key, keyHash, out _);
        if (slot >= 0)
        {
            var old = _digests[slot];
            if (old == digest)
            {
                return;
            }
            _digests[slot] = digest;
            Propagate(keyHash, EntryHashOf(fullHash, old) ^ EntryHashOf(fullHash, digest), countChange: 0);
            return;
        }

        slot = AllocateSlot();
        _keys[slot] = key;
        _keyHashes[slot] = keyHash;
        _digests[slot] = digest;
        var bucket = BucketOf(keyHash);
        _next[slot] = _buckets[bucket];
        _buckets[bucket] = slot + 1;
        _count++;
        Propagate(keyHash, EntryHashOf(fullHash, digest), countChange: 1);
        if (_depth < _maxDepth && _count > LoadFactor * _buckets.Length)
        {
            Grow();
        }
    }

    /// <summary>Removes a key.</summary>
    /// <returns>Whether the key was present.</returns>
    /// <remarks>O(depth) after hashing the key.</remarks>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var fullHash = _keyHasher(key);
        var keyHash = PlacementOf(fullHash);
        var slot = Find(key, keyHash, out var previous);
        if (slot < 0)
        {
            return false;
        }
        if (previous < 0)
        {
            _buckets[BucketOf(keyHash)] = _next[slot];
        }
        else
        {
            _next[previous] = _next[slot];
        }
        Propagate(keyHash, EntryHashOf(fullHash, _digests[slot]), countChange: -1);
        _keys[slot] = null;
        _keyHashes[slot] = 0;
        _digests[slot] = default;
        _next[slot] = _freeHead;
        _freeHead = slot + 1;
        _count--;
        return true;
    }

    /// <summary>The digest last set for a key.</summary>
    /// <returns>Whether the key is present.</returns>
    public bool TryGetDigest(string key, out UInt128 digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slot = Find(key, PlacementOf(_keyHasher(key)), out _);
        digest = slot >= 0 ? _digests[slot] : default;
        return slot >= 0;
    }

    private int BucketOf(ulong keyHash) => (int)_shape.PrefixOf(keyHash, _depth);

    private int Find(string key, ulong keyHash, out int previous)
    {
        previous = -1;
        for (var link = _buckets[BucketOf(keyHash)]; link != 0;)
        {
            var slot = link - 1;
            if (_keyHashes[slot] == keyHash && string.Equals(_keys[slot], key, StringComparison.Ordinal))
            {
                return slot;
            }
            previous = slot;
            link = _next[slot];
        }
        return -1;
    }

    private void Propagate(ulong keyHash, UInt128 entryHashChange, int countChange)
    {
        for (var level = 0; level < _depth; level++)
        {
            var node = _levelOffsets[level] + (int)_shape.PrefixOf(keyHash, level);
            _nodeDigests[node] ^= entryHashChange;
            _nodeCounts[node] += countChange;
        }
    }

    private int AllocateSlot()
    {
        if (_freeHead != 0)
        {
            var free = _freeHead - 1;
            _freeHead = _next[free];
            return free;
        }
        if (_used == _keys.Length)
        {
            var capacity = _keys.Length * 2;
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _keyHashes, capacity);
            Array.Resize(ref _digests, capacity);
            Array.Resize(ref _next, capacity);
        }
        return _used++;
    }

    /// <summary>
    /// Stores one more level: the old bottom buckets become stored nodes and the keys are re-chained into
    /// buckets one level deeper. O(count), once per multiplication of the count by the fan-out.
    /// </summary>
    private void Grow()
    {
        var depth = _depth + 1;
        var newLevel = _depth;
        var offsets = new int[depth + 1];
        _levelOffsets.CopyTo(offsets, 0);
        offsets[depth] = offsets[newLevel] + (1 << (_shape.Bits * newLevel));
        var digests = new UInt128[offsets[depth]];
        var counts = new int[offsets[depth]];
        _nodeDigests.CopyTo(digests, 0);
        _nodeCounts.CopyTo(counts, 0);
        var buckets = new int[1 << (_shape.Bits * depth)];

        for (var slot = 0; slot < _used; slot++)
        {
            var key = _keys[slot];
            if (key is null)
            {
                continue; // a free slot: its link belongs to the free list
            }
            var keyHash = _keyHashes[slot];
            var bucket = (int)_shape.PrefixOf(keyHash, depth);
            _next[slot] = buckets[bucket];
            buckets[bucket] = slot + 1;
            var node = offsets[newLevel] + (int)_shape.PrefixOf(keyHash, newLevel);
            digests[node] ^= EntryHashOf(_keyHasher(key), _digests[slot]);
            counts[node]++;
        }

        _depth = depth;
        _levelOffsets = offsets;
        _nodeDigests = digests;
        _nodeCounts = counts;
        _buckets = buckets;
        Debug.Assert(_nodeCounts[0] == _count);
    }
}
