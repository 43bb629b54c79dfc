using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Jarvis.Crdt.Internal;

/// <summary>
/// A chained hash map whose entries live in fixed-size chunks that never move once allocated, so
/// growing to n entries allocates about n entries (plus a bucket array of ints) instead of the ~3.5 n a
/// doubling <see cref="Dictionary{TKey, TValue}"/> allocates over its resizes. The first chunk grows
/// from 4 entries to <see cref="ChunkSize"/> so that the many tiny maps inside deltas stay tiny.
/// </summary>
/// <remarks>
/// Keys hash with <see cref="EqualityComparer{T}.Default"/> (randomized for strings, so hostile keys
/// cannot force collisions). Removal links freed entries into a free list. Enumeration order is
/// insertion order until the first removal. Not thread-safe.
/// </remarks>
internal sealed class ChunkedHashMap<TKey, TValue>
    where TKey : notnull
{
    public const int ChunkShift = 10;
    public const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;
    private const int EndOfChain = -1;
    private const int FreeListStart = -3;

    private Entry[][] _chunks;
    private int[] _buckets;
    private int _used;
    private int _count;
    private int _freeList = -1;
    private int _freeCount;

    public ChunkedHashMap(int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if (capacity <= ChunkSize)
        {
            _chunks = [new Entry[Math.Max(4, capacity)]];
        }
        else
        {
            var chunkCount = (capacity + ChunkMask) >> ChunkShift;
            _chunks = new Entry[chunkCount][];
            for (var i = 0; i < chunkCount; i++)
            {
                _chunks[i] = new Entry[ChunkSize];
            }
        }
        _buckets = new int[BucketCountFor(Math.Max(4, capacity))];
    }

    public int Count => _count;

    /// <summary>Slots handed out so far (live entries plus freed ones): the bound of <see cref="EntryAt"/>.</summary>
    public int SlotCount => _used;

    public bool ContainsKey(TKey key) => FindEntry(key) >= 0;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        var index = FindEntry(key);
        if (index >= 0)
        {
            value = Slot(index).Value;
            return true;
        }
        value = default;
        return false;
    }

    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        var index = FindEntry(key);
        return ref index >= 0 ? ref Slot(index).Value : ref Unsafe.NullRef<TValue>();
    }

    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        var hash = Hash(key);
        var index = FindEntry(key, hash);
        if (index >= 0)
        {
            exists = true;
            return ref Slot(index).Value;
        }
        exists = false;
        return ref Slot(Insert(key, hash)).Value!;
    }

    public bool TryAdd(TKey key, TValue value)
    {
        ref var slot = ref GetValueRefOrAddDefault(key, out var exists);
        if (exists)
        {
            return false;
        }
        slot = value;
        return true;
    }

    public void Set(TKey key, TValue value) => GetValueRefOrAddDefault(key, out _) = value;

    public bool Remove(TKey key)
    {
        var hash = Hash(key);
        ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        var previous = -1;
        var index = bucket - 1;
        while (index >= 0)
        {
            ref var entry = ref Slot(index);
            if (entry.HashCode == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            {
                if (previous < 0)
                {
                    bucket = entry.Next + 1;
                }
                else
                {
                    Slot(previous).Next = entry.Next;
                }
                entry.Next = FreeListStart - _freeList;
                if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
                {
                    entry.Key = default!;
                }
                if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
                {
                    entry.Value = default!;
                }
                _freeList = index;
                _freeCount++;
                _count--;
                return true;
            }
            previous = index;
            index = entry.Next;
        }
        return false;
    }

    /// <summary>Whether the slot holds a live entry (slots below <see cref="SlotCount"/> may be freed).</summary>
    public bool IsLive(int slot) => Slot(slot).Next >= EndOfChain;

    /// <summary>The entry in a slot; check <see cref="IsLive"/> first.</summary>
    public ref Entry EntryAt(int slot) => ref Slot(slot);

    public ChunkedHashMap<TKey, TValue> Clone(Func<TValue, TValue> cloneValue)
    {
        var copy = new ChunkedHashMap<TKey, TValue>(_count);
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref Slot(i);
            if (entry.Next >= EndOfChain)
            {
                var at = copy.Insert(entry.Key, entry.HashCode);
                copy.Slot(at).Value = cloneValue(entry.Value);
            }
        }
        return copy;
    }

    private static int BucketCountFor(int capacity)
    {
        var size = 4;
        while (size < capacity)
        {
            size <<= 1;
        }
        return size;
    }

    private static uint Hash(TKey key) => unchecked((uint)EqualityComparer<TKey>.Default.GetHashCode(key));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Slot(int index) => ref _chunks[index >> ChunkShift][index & ChunkMask];

    private int FindEntry(TKey key) => FindEntry(key, Hash(key));

    private int FindEntry(TKey key, uint hash)
    {
        var index = _buckets[hash & (uint)(_buckets.Length - 1)] - 1;
        while (index >= 0)
        {
            ref var entry = ref Slot(index);
            if (entry.HashCode == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            {
                return index;
            }
            index = entry.Next;
        }
        return -1;
    }

    private int Insert(TKey key, uint hash)
    {
        if (_count + 1 > _buckets.Length)
        {
            // Before a slot is taken: a rehash links every slot below _used.
            Rehash(_buckets.Length * 2);
        }
        int index;
        if (_freeCount > 0)
        {
            index = _freeList;
            _freeList = FreeListStart - Slot(index).Next;
            _freeCount--;
        }
        else
        {
            index = _used;
            EnsureSlot(index);
            _used++;
        }
        ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        ref var entry = ref Slot(index);
        entry.HashCode = hash;
        entry.Key = key;
        entry.Value = default!;
        entry.Next = bucket - 1;
        bucket = index + 1;
        _count++;
        return index;
    }

    private void EnsureSlot(int index)
    {
        var chunk = index >> ChunkShift;
        if (chunk == 0)
        {
            var first = _chunks[0];
            if (index >= first.Length)
            {
                // The first chunk doubles up to the chunk size; only small maps pay for copying.
                var grown = new Entry[Math.Min(ChunkSize, first.Length * 2)];
                first.CopyTo(grown, 0);
                _chunks[0] = grown;
            }
            return;
        }
        if (chunk >= _chunks.Length)
        {
            Array.Resize(ref _chunks, Math.Max(chunk + 1, _chunks.Length * 2));
        }
        _chunks[chunk] ??= new Entry[ChunkSize];
    }

    private void Rehash(int bucketCount)
    {
        var buckets = new int[bucketCount];
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref Slot(i);
            if (entry.Next >= EndOfChain)
            {
                ref var bucket = ref buckets[entry.HashCode & (uint)(bucketCount - 1)];
                entry.Next = bucket - 1;
                bucket = i + 1;
            }
        }
        _buckets = buckets;
        Debug.Assert(_count <= bucketCount, "load factor at most one");
    }

    internal struct Entry
    {
        public uint HashCode;
        public int Next;
        public TKey Key;
        public TValue Value;
    }
}
