using System.IO.Compression;
using System.Runtime.CompilerServices;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Sequences;

namespace Jarvis.Crdt;

/// <summary>
/// What <see cref="FugueText"/> and <see cref="FugueList{T}"/> share: an ordered sequence CRDT whose
/// concurrent inserts at one place never interleave (FugueMax), kept as run-length encoded items in a
/// B-tree, synchronised as delta states like every causal type, with undo and redo of this instance's
/// own edits, a compact snapshot encoding and update export/import.
/// </summary>
/// <remarks>
/// <para>Conflict rules. Concurrent inserts at the same place are ordered by FugueMax (Weidner and
/// Kleppmann, <i>The Art of the Fugue</i>): a run typed by one replica stays together, and runs typed
/// concurrently between the same neighbours go in replica-id order (lower first). A delete wins over
/// nothing: a deleted element stays deleted, and an insert concurrent with the deletion of its
/// neighbours survives in place. Deleted elements stay as tombstones (their id and origins, not their
/// content once encoded) because later inserts are placed relative to them.</para>
/// <para>As a causal CRDT, an element's dot is its id; the dot store is the set of visible elements.
/// Nested in an <see cref="ORMap{TKey, TValue}"/>, removing the key deletes the elements it observed; the
/// key stays, holding an empty sequence with its tombstones, so that an insert made concurrently next to
/// one of them still finds its place on every replica.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
/// <typeparam name="TSelf">The concrete type.</typeparam>
/// <typeparam name="T">The element type.</typeparam>
public abstract class FugueSequence<TSelf, T> : IPrunable
    where TSelf : FugueSequence<TSelf, T>, ICausalCrdt<TSelf>
{
    private static readonly ISequenceElements<T> Elements = typeof(T) == typeof(char)
        ? (ISequenceElements<T>)(object)CharElements.Instance
        : CodecElements<T>.Instance;

    private const byte SnapshotMagic0 = (byte)'J';
    private const byte SnapshotMagic1 = (byte)'Q';
    private const byte SnapshotVersion = 1;
    private const byte KindSnapshot = 1;
    private const byte KindUpdate = 2;

    private UndoLog? _undo;
    private UndoLog? _redo;

    /// <summary>Elements an undone delete brought back as new ones: (first original id, length, first copy id).</summary>
    private List<(long Original, int Length, long Copy)>? _copies;

    /// <summary>Creates a sequence bound to a context (its own, or its root's when nested).</summary>
    private protected FugueSequence(CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    internal SequenceCore<T> Core { get; private set; } = new();

    /// <summary>Checks the invariants of the structure, and that the context holds every element's dot (tests call it after every step).</summary>
    /// <exception cref="InvalidOperationException">An invariant is broken; the message names it.</exception>
    internal void CheckInvariants() => Core.CheckInvariants(Context);

    /// <summary>The dots this state has seen (shared with the root when nested). Clone it to keep a version.</summary>
    public CausalContext Context { get; }

    /// <summary>
    /// Whether the sequence holds nothing at all: no element, visible or deleted, and none waiting. A
    /// sequence whose elements are all deleted is not empty — its tombstones place later inserts — so in an
    /// <see cref="ORMap{TKey, TValue}"/> its key stays. <c>Length == 0</c> / <c>Count == 0</c> says whether anything is visible.
    /// </summary>
    public bool IsEmpty => Core.HoldsNothing;

    /// <summary>The number of visible elements, counting those still waiting for an origin.</summary>
    public int DotCount => Core.LiveDots;

    /// <summary>Received elements waiting for an origin this replica has not seen yet.</summary>
    public int PendingCount => Core.PendingItems;

    /// <summary>
    /// The most elements an <see cref="ApplyUpdate"/> may leave waiting for missing origins (default 65,536);
    /// an update that would exceed it is refused whole. Joins of states and deltas are not bounded: what
    /// waits there is part of the state.
    /// </summary>
    public int MaxPending { get; set; } = 1 << 16;

    /// <summary>How many of this instance's own edits <see cref="Undo"/> can take back (default 1,000; older ones are forgotten).</summary>
    public int UndoLimit { get; set; } = 1000;

    /// <summary>Whether <see cref="Undo"/> has an edit to take back.</summary>
    public bool CanUndo => _undo is { StepCount: > 0 };

    /// <summary>Whether <see cref="Redo"/> has an undone edit to apply again.</summary>
    public bool CanRedo => _redo is { StepCount: > 0 };

    private protected int VisibleCount => Core.Live;

    // ------------------------------------------------------------------ local edits

    /// <summary>Inserts elements so that the first lands at <paramref name="index"/>.</summary>
    /// <returns>The delta: the new elements, with the neighbours they were inserted between.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count, or not a position of a
    /// <see cref="FugueText"/> (between the two halves of a surrogate pair: <see cref="SurrogatePairSplitException"/>).</exception>
    public TSelf Insert(ReplicaId replica, int index, ReadOnlySpan<T> items)
    {
        CheckReplica(replica);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, Core.Live);
        CheckEdit(index, 0, items);
        var delta = TSelf.CreateEmpty(new CausalContext());
        if (items.IsEmpty)
        {
            return delta;
        }
        var (first, left, right) = InsertCore(replica, index, items);
        var counter = CounterOf(first);
        delta.Core.AddForeignRun(replica, counter, items.Length, left, right, deleted: false, items);
        delta.Context.AddRange(replica, (ulong)counter, (ulong)counter + (ulong)items.Length - 1);
        Record(inserted: [(first, items.Length)], deleted: null);
        return delta;
    }

    /// <summary>Deletes <paramref name="count"/> elements from <paramref name="index"/>.</summary>
    /// <returns>The delta: the deleted elements' dots, as a context with nothing in the store.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within 0..Count, or would split a surrogate pair of a
    /// <see cref="FugueText"/> (<see cref="SurrogatePairSplitException"/>).</exception>
    public TSelf Delete(ReplicaId replica, int index, int count)
    {
        CheckReplica(replica);
        CheckRange(index, count);
        CheckEdit(index, count, default);
        var delta = TSelf.CreateEmpty(new CausalContext());
        if (count == 0)
        {
            return delta;
        }
        var deleted = new UndoLog();
        deleted.BeginStep(0);
        Core.DeleteLocal(index, count, deleted);
        var runs = deleted.Pop().Select(r => (r.Id, r.Length)).ToList();
        AddDots(delta.Context, runs);
        Record(inserted: null, deleted: runs);
        return delta;
    }

    /// <summary>
    /// Deletes <paramref name="deleteCount"/> elements at <paramref name="index"/> and inserts
    /// <paramref name="insert"/> there, without building a delta: the editing path for a replica that
    /// ships changes later (<see cref="EncodeUpdateSince"/>) or as whole states. One undo step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within 0..Count, or would split a surrogate pair of a
    /// <see cref="FugueText"/> (<see cref="SurrogatePairSplitException"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Splice(ReplicaId replica, int index, int deleteCount, ReadOnlySpan<T> insert)
    {
        CheckReplica(replica);
        CheckRange(index, deleteCount);
        CheckEdit(index, deleteCount, insert);
        if (deleteCount == 0 && insert.IsEmpty)
        {
            return;
        }
        var record = UndoLimit > 0;
        if (record)
        {
            _undo ??= new UndoLog();
            _undo.BeginStep(UndoLimit);
            _redo?.Clear();
        }
        if (deleteCount > 0)
        {
            Core.DeleteLocal(index, deleteCount, record ? _undo : null);
        }
        if (!insert.IsEmpty)
        {
            var counter = NextCounter(replica, insert.Length);
            var agent = Core.Agent(replica);
            Core.InsertLocal(agent, counter, index, insert);
            Context.AddRange(replica, (ulong)counter, (ulong)counter + (ulong)insert.Length - 1);
            _undo?.Add(SequenceCore<T>.MakeId(agent, counter), insert.Length, inserted: true);
        }
    }

    /// <summary>
    /// Refuses a local edit the element type cannot take, before anything changes: deleting
    /// <paramref name="deleteCount"/> elements at <paramref name="index"/> (already within range) and inserting
    /// <paramref name="insert"/> there. Every element type takes every edit unless it says otherwise.
    /// </summary>
    private protected virtual void CheckEdit(int index, int deleteCount, ReadOnlySpan<T> insert)
    {
    }

    private (long First, Dot? Left, Dot? Right) InsertCore(ReplicaId replica, int index, ReadOnlySpan<T> items)
    {
        var counter = NextCounter(replica, items.Length);
        var agent = Core.Agent(replica);
        var (left, right) = Core.InsertLocal(agent, counter, index, items);
        Context.AddRange(replica, (ulong)counter, (ulong)counter + (ulong)items.Length - 1);
        return (SequenceCore<T>.MakeId(agent, counter), ToDot(left), ToDot(right));
    }

    private long NextCounter(ReplicaId replica, int length)
    {
        var next = Context.Max(replica) + 1;
        if (next == 0 || next + (ulong)length - 1 > SequenceCore<T>.CounterMask)
        {
            throw new InvalidOperationException($"Replica {replica} has used up its counters in this sequence.");
        }
        return (long)next;
    }

    private Dot? ToDot(long id) => id == SequenceCore<T>.NoId ? null : Core.ToDot(id);

    private static long CounterOf(long id) => SequenceCore<T>.CounterOf(id);

    private void AddDots(CausalContext context, List<(long Id, int Length)> runs)
    {
        foreach (var (id, length) in runs)
        {
            var counter = (ulong)CounterOf(id);
            context.AddRange(Core.ReplicaOf(id), counter, counter + (ulong)length - 1);
        }
    }

    private static void CheckReplica(ReplicaId replica)
    {
        if (replica.IsNone)
        {
            throw new ArgumentException("A mutation needs a replica id.", nameof(replica));
        }
    }

    private void CheckRange(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, Core.Live);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Core.Live - index);
    }

    // ------------------------------------------------------------------ ids

    /// <summary>The id (dot) of the visible element at an index.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Count-1.</exception>
    public Dot IdAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Core.Live);
        return Core.ToDot(Core.IdAtVisible(index));
    }

    /// <summary>The index of the visible element with this id, or -1 when it is deleted, waiting or unknown.</summary>
    public int IndexOf(Dot id)
    {
        var packed = Core.FromDot(id);
        return packed == SequenceCore<T>.NoId ? -1 : Core.VisibleIndexOf(packed);
    }

    // ------------------------------------------------------------------ undo and redo

    /// <summary>
    /// Takes back this instance's most recent edit still in its history: elements it inserted are deleted
    /// (those still visible; elements others inserted next to them stay), elements it deleted come back as
    /// new elements right after their tombstones. The result replicates like any edit.
    /// </summary>
    /// <returns>The delta, or null when there is nothing to undo.</returns>
    public TSelf? Undo(ReplicaId replica) => Revert(replica, ref _undo, ref _redo);

    /// <summary>Applies again the most recently undone edit (any new edit clears the redo history).</summary>
    /// <returns>The delta, or null when there is nothing to redo.</returns>
    public TSelf? Redo(ReplicaId replica) => Revert(replica, ref _redo, ref _undo);

    private TSelf? Revert(ReplicaId replica, ref UndoLog? from, ref UndoLog? to)
    {
        CheckReplica(replica);
        if (from is not { StepCount: > 0 })
        {
            return null;
        }
        var step = from.Pop();
        var delta = TSelf.CreateEmpty(new CausalContext());
        var killed = new List<(long Id, int Length)>();
        var restored = new List<(long Id, int Length)>();
        foreach (var record in step)
        {
            if (record.Inserted)
            {
                KillWithCopies(record.Id, record.Length, killed);
            }
        }
        AddDots(delta.Context, killed);
        foreach (var record in step)
        {
            if (!record.Inserted)
            {
                foreach (var (tombstone, length, content) in Core.DeletedPieces(record.Id, record.Length))
                {
                    var counter = NextCounter(replica, length);
                    var agent = Core.Agent(replica);
                    var (left, right) = Core.InsertAfter(tombstone, agent, counter, content);
                    Context.AddRange(replica, (ulong)counter, (ulong)counter + (ulong)length - 1);
                    delta.Core.AddForeignRun(replica, counter, length, ToDot(left), ToDot(right), deleted: false, content);
                    delta.Context.AddRange(replica, (ulong)counter, (ulong)counter + (ulong)length - 1);
                    restored.Add((SequenceCore<T>.MakeId(agent, counter), length));
                    (_copies ??= []).Add((tombstone - length + 1, length, SequenceCore<T>.MakeId(agent, counter)));
                }
            }
        }
        to ??= new UndoLog();
        to.Push(restored, killed, UndoLimit);
        return delta;
    }

    /// <summary>
    /// Deletes a run of ids and every copy an undone delete made of them (and copies of those): undoing
    /// an insert after undoing a delete inside it removes the restored elements too.
    /// </summary>
    private void KillWithCopies(long id, int length, List<(long Id, int Length)> killed)
    {
        var work = new Stack<(long Id, int Length)>();
        work.Push((id, length));
        while (work.Count > 0)
        {
            var (from, count) = work.Pop();
            Core.KillIds(from, count, killed);
            if (_copies is null)
            {
                continue;
            }
            foreach (var (original, copyLength, copy) in _copies)
            {
                // Copies of one replica's ids: the overlap of [from, from+count) with [original, original+copyLength).
                var start = Math.Max(from, original);
                var end = Math.Min(from + count, original + copyLength);
                if (start < end && SequenceCore<T>.AgentOf(start) == SequenceCore<T>.AgentOf(original) && SequenceCore<T>.AgentOf(from) == SequenceCore<T>.AgentOf(original))
                {
                    work.Push((copy + (start - original), (int)(end - start)));
                }
            }
        }
    }

    private void Record(List<(long Id, int Length)>? inserted, List<(long Id, int Length)>? deleted)
    {
        if (UndoLimit <= 0)
        {
            return;
        }
        _undo ??= new UndoLog();
        _undo.Push(inserted, deleted, UndoLimit);
        _redo?.Clear();
    }

    // ------------------------------------------------------------------ the causal CRDT

    /// <summary>Joins another state or delta into this one (any order, idempotent).</summary>
    /// <returns>Whether this state changed.</returns>
    public bool Join(TSelf other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var storeChanged = Core.JoinFrom(other.Core, Context, other.Context);
        return Context.UnionWith(other.Context) | storeChanged;
    }

    /// <summary>A deep copy with its own context (undo history is not copied).</summary>
    public TSelf Clone() => CloneStore(Context.Clone());

    /// <inheritdoc cref="IDotStore{TSelf}.JoinStore"/>
    public bool JoinStore(TSelf other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Core.JoinFrom(other.Core, thisContext, otherContext);
    }

    /// <inheritdoc cref="IDotStore{TSelf}.RemoveCovered"/>
    public bool RemoveCovered(CausalContext otherContext) => Core.RemoveCovered(otherContext);

    /// <inheritdoc cref="IDotStore{TSelf}.CollectDots"/>
    public void CollectDots(CausalContext into) => Core.CollectDots(into);

    /// <inheritdoc cref="IDotStore{TSelf}.CloneStore"/>
    public TSelf CloneStore(CausalContext context)
    {
        var copy = TSelf.CreateEmpty(context);
        copy.Core = Core.Clone();
        return copy;
    }

    /// <summary>Writes the context, then the store.</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        Core.Write(writer, Context, Elements);
    }

    /// <inheritdoc cref="IDotStore{TSelf}.WriteStore"/>
    public void WriteStore(CrdtWriter writer, CausalContext context) => Core.Write(writer, context, Elements);

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    public static TSelf ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        return ReadStore(ref reader, context);
    }

    /// <inheritdoc cref="IDotStore{TSelf}.ReadStore"/>
    public static TSelf ReadStore(ref CrdtReader reader, CausalContext context)
    {
        var state = TSelf.CreateEmpty(context);
        state.Core = SequenceCore<T>.Read(ref reader, context, Elements);
        return state;
    }

    /// <inheritdoc/>
    public bool HoldsDotsOf(ReplicaId replica) => Core.HoldsItemsOf(replica);

    /// <summary>Forgets a departed replica's context entry; a sequence never drops the items it wrote (tombstones place later inserts), so this does nothing while it holds any.</summary>
    public bool Forget(ReplicaId replica) => !Core.HoldsItemsOf(replica) && Context.Remove(replica);

    // ------------------------------------------------------------------ snapshots and updates

    /// <summary>
    /// The whole document as a compact snapshot: a 4-byte header and the Brotli-compressed state encoding
    /// (deterministic for a given runtime; the uncompressed <see cref="CrdtEncoding"/> form is deterministic everywhere).
    /// </summary>
    public byte[] Encode() => Compress(KindSnapshot, writer => WriteTo(writer));

    /// <summary>Loads a snapshot written by <see cref="Encode"/>.</summary>
    /// <exception cref="CrdtDecodeException">The bytes are not a valid snapshot of this type.</exception>
    public static TSelf Decode(ReadOnlySpan<byte> bytes)
    {
        var body = Decompress(bytes, KindSnapshot);
        var reader = new CrdtReader(body);
        var state = ReadFrom(ref reader);
        reader.EnsureAtEnd();
        return state;
    }

    /// <summary>
    /// The changes a replica at <paramref name="version"/> lacks (everything when null): the elements
    /// it has not seen, in document order, and every deletion this replica knows of.
    /// </summary>
    public byte[] EncodeUpdateSince(CausalContext? version)
    {
        var context = new CausalContext();
        var fragment = Core.ExportSince(version, context);
        return Compress(KindUpdate, writer =>
        {
            context.WriteTo(writer);
            fragment.Write(writer, context, Elements);
        });
    }

    /// <summary>
    /// Applies an update from <see cref="EncodeUpdateSince"/>: idempotent, in any order; elements whose
    /// origins have not arrived wait (see <see cref="MaxPending"/>). A malformed update changes nothing.
    /// </summary>
    /// <returns>Whether the document changed.</returns>
    /// <exception cref="CrdtDecodeException">The bytes are not a valid update.</exception>
    /// <exception cref="InvalidOperationException">Applying it would leave more than <see cref="MaxPending"/> elements waiting.</exception>
    public bool ApplyUpdate(ReadOnlySpan<byte> update)
    {
        var body = Decompress(update, KindUpdate);
        var reader = new CrdtReader(body);
        var context = CausalContext.ReadFrom(ref reader);
        var fragment = SequenceCore<T>.Read(ref reader, context, Elements, fragment: true);
        reader.EnsureAtEnd();
        var waiting = Core.WouldWait(fragment);
        if (waiting > 0 && Core.PendingItems + waiting > MaxPending)
        {
            throw new InvalidOperationException(
                $"The update would leave {Core.PendingItems + waiting} elements waiting for origins this replica lacks (the limit is {MaxPending}); apply the updates it depends on first.");
        }
        var changed = Core.JoinFrom(fragment, Context, context);
        return Context.UnionWith(context) | changed;
    }

    private static byte[] Compress(byte kind, Action<CrdtWriter> write)
    {
        using var writer = new CrdtWriter(4096);
        write(writer);
        var body = writer.WrittenSpan;
        var output = new byte[4 + BrotliEncoder.GetMaxCompressedLength(body.Length)];
        output[0] = SnapshotMagic0;
        output[1] = SnapshotMagic1;
        output[2] = SnapshotVersion;
        output[3] = kind;
        if (!BrotliEncoder.TryCompress(body, output.AsSpan(4), out var written, quality: 5, window: 22))
        {
            throw new InvalidOperationException("Brotli compression failed.");
        }
        return output.AsSpan(0, 4 + written).ToArray();
    }

    private static byte[] Decompress(ReadOnlySpan<byte> bytes, byte kind)
    {
        if (bytes.Length < 4 || bytes[0] != SnapshotMagic0 || bytes[1] != SnapshotMagic1)
        {
            throw new CrdtDecodeException("Not a Jarvis sequence snapshot or update (bad header)", 0);
        }
        if (bytes[2] != SnapshotVersion)
        {
            throw new CrdtDecodeException($"Unsupported sequence encoding version {bytes[2]}", 2);
        }
        if (bytes[3] != kind)
        {
            throw new CrdtDecodeException(kind == KindSnapshot ? "An update, not a snapshot" : "A snapshot, not an update", 3);
        }
        using var decoder = new BrotliDecoder();
        var output = new byte[Math.Max(1024, bytes.Length * 4)];
        var consumedTotal = 0;
        var writtenTotal = 0;
        var source = bytes[4..];
        while (true)
        {
            var status = decoder.Decompress(source[consumedTotal..], output.AsSpan(writtenTotal), out var consumed, out var written);
            consumedTotal += consumed;
            writtenTotal += written;
            if (status == System.Buffers.OperationStatus.Done)
            {
                if (consumedTotal != source.Length)
                {
                    throw new CrdtDecodeException("Bytes after the end of the compressed body", 4 + consumedTotal);
                }
                return output.AsSpan(0, writtenTotal).ToArray();
            }
            if (status == System.Buffers.OperationStatus.DestinationTooSmall)
            {
                if (output.Length >= MaxBodyBytes)
                {
                    throw new CrdtDecodeException("The compressed body expands past the size limit", 4 + consumedTotal);
                }
                Array.Resize(ref output, (int)Math.Min(MaxBodyBytes, (long)output.Length * 2));
                continue;
            }
            throw new CrdtDecodeException(status == System.Buffers.OperationStatus.NeedMoreData
                ? "The compressed body is truncated"
                : "The compressed body is corrupt", 4 + consumedTotal);
        }
    }

    private const int MaxBodyBytes = 1 << 30;
}

/// <summary>This instance's own edits, newest last: each step a list of inserted and deleted id runs.</summary>
internal sealed class UndoLog
{
    private readonly List<UndoRecord> _records = [];
    private readonly List<int> _stepStarts = [];

    public int StepCount => _stepStarts.Count;

    public void Push(List<(long Id, int Length)>? inserted, List<(long Id, int Length)>? deleted, int limit)
    {
        BeginStep(limit);
        if (deleted is not null)
        {
            foreach (var (id, length) in deleted)
            {
                Add(id, length, inserted: false);
            }
        }
        if (inserted is not null)
        {
            foreach (var (id, length) in inserted)
            {
                Add(id, length, inserted: true);
            }
        }
    }

    /// <summary>Starts a step (records added next belong to it), forgetting the oldest steps past <paramref name="limit"/> (0: no limit).</summary>
    public void BeginStep(int limit)
    {
        if (limit > 0 && _stepStarts.Count >= 2 * limit)
        {
            // Forget the oldest steps in one go, so the trimming costs O(1) per edit.
            var dropSteps = _stepStarts.Count - limit;
            var dropRecords = _stepStarts[dropSteps];
            _records.RemoveRange(0, dropRecords);
            _stepStarts.RemoveRange(0, dropSteps);
            for (var i = 0; i < _stepStarts.Count; i++)
            {
                _stepStarts[i] -= dropRecords;
            }
        }
        _stepStarts.Add(_records.Count);
    }

    /// <summary>Adds a run of ids to the current step.</summary>
    public void Add(long id, int length, bool inserted) => _records.Add(new UndoRecord(id, length, inserted));

    public UndoRecord[] Pop()
    {
        var start = _stepStarts[^1];
        _stepStarts.RemoveAt(_stepStarts.Count - 1);
        var step = _records.GetRange(start, _records.Count - start).ToArray();
        _records.RemoveRange(start, _records.Count - start);
        return step;
    }

    public void Clear()
    {
        _records.Clear();
        _stepStarts.Clear();
    }
}

internal readonly record struct UndoRecord(long Id, int Length, bool Inserted);
