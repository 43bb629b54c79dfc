using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cursor = Jarvis.Crdt.Sequences.RunTree.Cursor;
using Leaf = Jarvis.Crdt.Sequences.RunTree.Leaf;

namespace Jarvis.Crdt.Sequences;

/// <summary>
/// The engine behind <see cref="FugueText"/> and <see cref="FugueList{T}"/>: the items of an ordered
/// sequence CRDT in document order, run-length encoded, in a B-tree indexed by visible and total
/// counts (<see cref="RunTree"/>), with an id index from element id to leaf.
/// </summary>
/// <remarks>
/// <para>Every element ever inserted is an item with an id (its dot: replica and counter), an
/// <i>origin left</i> and an <i>origin right</i> (the neighbours it was inserted between, which may be
/// deleted ones), a deleted flag and, while visible, its content. A span is a run of items by one
/// replica with consecutive counters, each item's origin left being the item before it and all sharing
/// one origin right: typing a word is one span, not one object per character.</para>
/// <para>Concurrent inserts between the same neighbours are ordered by FugueMax (Weidner and
/// Kleppmann, <i>The Art of the Fugue</i>), computed by the YjsMod integration (Gentle,
/// reference-crdts), which they show equivalent: runs typed concurrently never interleave. Ties
/// between concurrent inserts with the same origins go to the lower replica id first.</para>
/// <para>Items whose origins have not arrived wait in a pending list; they are part of the state
/// (encoded, joined) and integrate as soon as their origins do. Ids are packed into a long: 15 bits of
/// replica index into this sequence's replica table, 48 bits of counter.</para>
/// </remarks>
internal sealed partial class SequenceCore<T>
{
    internal const long NoId = -1;
    private const int AgentShift = 48;
    internal const long CounterMask = (1L << AgentShift) - 1;
    internal const int MaxAgents = 1 << 15;

    /// <summary>The most items (visible and deleted) a sequence holds; bounds what a hostile encoding can make us allocate.</summary>
    internal const int MaxItems = 1 << 24;

    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;

    private readonly List<ReplicaId> _agents = [];
    private Dictionary<ReplicaId, int>? _agentIndex;
    private readonly List<AgentPages> _pages = [];
    private readonly List<Span> _pending = [];
    private RunTree _tree = new();
    private T[] _content = [];
    private int _contentCount;
    private int _pendingItems;
    private int _pendingLive;

    /// <summary>The number of visible items in the document (pending items are not visible).</summary>
    public int Live => _tree.Live;

    /// <summary>The number of items in the document, visible or deleted.</summary>
    public int Total => _tree.Total;

    /// <summary>Visible items counted as dots: in the document and waiting.</summary>
    public int LiveDots => _tree.Live + _pendingLive;

    /// <summary>Items waiting for a missing origin.</summary>
    public int PendingItems => _pendingItems;

    /// <summary>Whether nothing at all is held (no item, visible or not, and nothing pending).</summary>
    public bool HoldsNothing => _tree.Total == 0 && _pending.Count == 0;

    // ---------------------------------------------------------------- ids and replicas

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long MakeId(int agent, long counter) => ((long)agent << AgentShift) | counter;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int AgentOf(long id) => (int)(id >>> AgentShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long CounterOf(long id) => id & CounterMask;

    public ReplicaId ReplicaOf(long id) => _agents[AgentOf(id)];

    /// <summary>The index of a replica in this sequence's table, added if new.</summary>
    public int Agent(ReplicaId replica)
    {
        var index = FindAgent(replica);
        if (index >= 0)
        {
            return index;
        }
        if (_agents.Count >= MaxAgents)
        {
            throw new InvalidOperationException($"A sequence holds items of at most {MaxAgents} replicas.");
        }
        index = _agents.Count;
        _agents.Add(replica);
        if (_agentIndex is not null)
        {
            _agentIndex.Add(replica, index);
        }
        else if (_agents.Count > 8)
        {
            // Few replicas are searched in the list; many get a dictionary.
            _agentIndex = [];
            for (var a = 0; a < _agents.Count; a++)
            {
                _agentIndex.Add(_agents[a], a);
            }
        }
        _pages.Add(new AgentPages());
        return index;
    }

    /// <summary>The index of a replica in this sequence's table, or -1.</summary>
    public int FindAgent(ReplicaId replica)
    {
        if (_agentIndex is not null)
        {
            return _agentIndex.TryGetValue(replica, out var index) ? index : -1;
        }
        for (var a = 0; a < _agents.Count; a++)
        {
            if (_agents[a] == replica)
            {
                return a;
            }
        }
        return -1;
    }

    public Dot ToDot(long id) => new(_agents[AgentOf(id)], (ulong)CounterOf(id));

    /// <summary>The packed id of a dot, or <see cref="NoId"/> when its replica or counter is unknown here.</summary>
    public long FromDot(Dot dot)
    {
        var agent = FindAgent(dot.Replica);
        return agent < 0 || dot.Counter > CounterMask ? NoId : MakeId(agent, (long)dot.Counter);
    }

    // ---------------------------------------------------------------- the id index

    /// <summary>Per replica, pages of 1,024 counters mapping each item in the document to its leaf (number + 1), else 0; pending items are found in their list.</summary>
    private sealed class AgentPages
    {
        public Dictionary<long, int[]>? Pages;
        public long LastNumber = -1;
        public int[]? Last;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int[]? Find(long number)
        {
            if (number == LastNumber)
            {
                return Last;
            }
            if (Pages is not null && Pages.TryGetValue(number, out var page))
            {
                LastNumber = number;
                Last = page;
                return page;
            }
            return null;
        }

        public int[] GetOrAdd(long number)
        {
            var page = Find(number);
            if (page is null)
            {
                page = new int[PageSize];
                (Pages ??= []).Add(number, page);
                LastNumber = number;
                Last = page;
            }
            return page;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexGet(long id)
    {
        var page = _pages[AgentOf(id)].Find(CounterOf(id) >> PageBits);
        return page is null ? 0 : page[(int)(id & (PageSize - 1))];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void IndexSet(long id, int length, int value)
    {
        var pages = _pages[AgentOf(id)];
        var counter = CounterOf(id);
        while (length > 0)
        {
            var page = pages.GetOrAdd(counter >> PageBits);
            var offset = (int)(counter & (PageSize - 1));
            var n = Math.Min(length, PageSize - offset);
            page.AsSpan(offset, n).Fill(value);
            counter += n;
            length -= n;
        }
    }

    /// <summary>Whether the item is held: in the document or pending.</summary>
    public bool Holds(long id) => Where(id) != 0;

    /// <summary>Where an item is: its leaf's number + 1 in the document, -1 when pending, 0 when absent.</summary>
    private int Where(long id)
    {
        var where = IndexGet(id);
        return where != 0 ? where : _pending.Count > 0 && FindPendingOrNone(id) >= 0 ? -1 : 0;
    }

    /// <summary>Whether the item is in the document (not pending).</summary>
    public bool IsIntegrated(long id) => IndexGet(id) > 0;

    // ---------------------------------------------------------------- the tree

    /// <summary>Makes room for <paramref name="needed"/> more spans in a leaf (see <see cref="RunTree.EnsureRoom"/>), re-indexing the runs a split moves; returns where span <paramref name="index"/> now is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (Leaf Leaf, int Index) EnsureRoom(Leaf leaf, int index, int needed)
    {
        var (at, s, split) = _tree.EnsureRoom(leaf, index, needed);
        if (split is not null)
        {
            for (var i = 0; i < split.Count; i++)
            {
                IndexSet(split.Spans[i].Id, split.Spans[i].Length, split.Number + 1);
            }
        }
        return (at, s);
    }

    // ---------------------------------------------------------------- locating items

    private static long IdAt(in Cursor cursor) => cursor.Leaf!.Spans[cursor.Span].Id + cursor.Offset;

    /// <summary>Locates an integrated item by id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Cursor Locate(long id)
    {
        var number = IndexGet(id);
        Debug.Assert(number > 0, "only integrated items are located");
        var leaf = _tree.LeafAt(number - 1);
        var s = FindSpan(leaf, id);
        return new Cursor { Leaf = leaf, Span = s, Offset = (int)(id - leaf.Spans[s].Id) };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FindSpan(Leaf leaf, long id)
    {
        for (var s = 0; s < leaf.Count; s++)
        {
            ref readonly var span = ref leaf.Spans[s];
            if (id >= span.Id && id < span.Id + span.Length)
            {
                return s;
            }
        }
        throw new UnreachableException("the id index points at a leaf without the item");
    }

    /// <summary>The position of an item among all items (deleted ones included).</summary>
    private int TotalPosition(in Cursor cursor) => Position(cursor, visible: false);

    private int Position(in Cursor cursor, bool visible) => _tree.Position(cursor, visible);

    private int TotalPosition(long id) => id == NoId ? -1 : TotalPosition(Locate(id));

    /// <summary>The visible index of an item, or -1 when it is deleted, pending or unknown.</summary>
    public int VisibleIndexOf(long id)
    {
        if (IndexGet(id) <= 0)
        {
            return -1;
        }
        var cursor = Locate(id);
        return cursor.Leaf!.Spans[cursor.Span].Deleted ? -1 : Position(cursor, visible: true);
    }

    /// <summary>The id of the visible item at an index.</summary>
    public long IdAtVisible(int index)
    {
        var cursor = _tree.FindLive(index);
        return IdAt(cursor);
    }

    /// <summary>The visible item at an index.</summary>
    public T ItemAt(int index)
    {
        var cursor = _tree.FindLive(index);
        ref readonly var span = ref cursor.Leaf!.Spans[cursor.Span];
        return _content[span.Content + cursor.Offset];
    }

    /// <summary>Copies the visible items, in order.</summary>
    public void CopyVisible(Span<T> destination)
    {
        var at = 0;
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                ref readonly var span = ref leaf.Spans[s];
                if (!span.Deleted)
                {
                    _content.AsSpan(span.Content, span.Length).CopyTo(destination[at..]);
                    at += span.Length;
                }
            }
        }
    }

    // ---------------------------------------------------------------- content

    /// <summary>
    /// Text only: whether any content that entered this sequence (visible or since deleted) held a UTF-16 surrogate.
    /// While false no index can fall inside a surrogate pair, so text with none skips that check (an index lookup per
    /// edit end).
    /// </summary>
    public bool MayHoldSurrogates { get; private set; }

    private void NoteContent(ReadOnlySpan<T> items)
    {
        if (typeof(T) == typeof(char) && !MayHoldSurrogates)
        {
            var text = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, char>(ref MemoryMarshal.GetReference(items)), items.Length);
            MayHoldSurrogates = text.ContainsAnyInRange('\uD800', '\uDFFF');
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendContent(ReadOnlySpan<T> items)
    {
        NoteContent(items);
        var offset = _contentCount;
        if (_contentCount + items.Length > _content.Length)
        {
            var capacity = Math.Max(Math.Max(16, _content.Length * 2), _contentCount + items.Length);
            Array.Resize(ref _content, capacity);
        }
        items.CopyTo(_content.AsSpan(_contentCount));
        _contentCount += items.Length;
        return offset;
    }

    internal ReadOnlySpan<T> ContentOf(in Span span) => span.Content < 0 ? default : _content.AsSpan(span.Content, span.Length);

    private void CheckCapacity(int more)
    {
        if ((long)_tree.Total + _pendingItems + more > MaxItems)
        {
            throw new InvalidOperationException($"A sequence holds at most {MaxItems:N0} items, visible and deleted.");
        }
    }

    // ---------------------------------------------------------------- spans in a leaf

    /// <summary>Splits the span at (leaf, index) before item <paramref name="offset"/>; the leaf must have room for one more span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitSpan(Leaf leaf, int index, int offset)
    {
        leaf.Grow();
        Debug.Assert(offset > 0 && offset < leaf.Spans[index].Length && leaf.Count < RunTree.LeafCapacity, "split inside a span of a leaf with room");
        ref var span = ref leaf.Spans[index];
        var rest = new Span
        {
            Id = span.Id + offset,
            Length = span.Length - offset,
            Left = span.Id + offset - 1,
            Right = span.Right,
            Content = span.Content < 0 ? -1 : span.Content + offset,
            Deleted = span.Deleted,
        };
        span.Length = offset;
        Array.Copy(leaf.Spans, index + 1, leaf.Spans, index + 2, leaf.Count - index - 1);
        leaf.Spans[index + 1] = rest;
        leaf.Count++;
    }

    /// <summary>Inserts a new span at (leaf, index); the leaf must have room. Counts and the id index follow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PutSpan(Leaf leaf, int index, in Span span)
    {
        RunTree.Put(leaf, index, span);
        IndexSet(span.Id, span.Length, leaf.Number + 1);
    }

    /// <summary>Whether <paramref name="b"/> continues <paramref name="a"/> as one span (content aside).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Continues(in Span a, in Span b)
        => b.Id == a.Id + a.Length && CounterOf(b.Id) != 0 && AgentOf(b.Id) == AgentOf(a.Id)
            && b.Left == b.Id - 1 && b.Right == a.Right && b.Deleted == a.Deleted;

    private static bool CanMerge(in Span a, in Span b)
        => Continues(a, b) && (a.Content < 0 ? b.Content < 0 : b.Content == a.Content + a.Length);

    /// <summary>Merges the span at (leaf, index) with its neighbours in the leaf where they continue each other.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeAround(Leaf leaf, int index)
    {
        if (index + 1 < leaf.Count && CanMerge(leaf.Spans[index], leaf.Spans[index + 1]))
        {
            leaf.Spans[index].Length += leaf.Spans[index + 1].Length;
            leaf.RemoveAt(index + 1);
        }
        if (index > 0 && CanMerge(leaf.Spans[index - 1], leaf.Spans[index]))
        {
            leaf.Spans[index - 1].Length += leaf.Spans[index].Length;
            leaf.RemoveAt(index);
        }
    }

    // ---------------------------------------------------------------- local edits

    /// <summary>
    /// Inserts items by a local replica at a visible index, with ids <paramref name="agent"/>:<paramref name="counter"/>...
    /// Returns the origins chosen (ids of the items it was inserted between).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (long Left, long Right) InsertLocal(int agent, long counter, int index, ReadOnlySpan<T> items)
    {
        Debug.Assert(index >= 0 && index <= Live && items.Length > 0, "arguments are validated by the public type");
        CheckCapacity(items.Length);
        var id = MakeId(agent, counter);
        if (index == 0)
        {
            var start = _tree.Start();
            var right = start.AtEnd ? NoId : IdAt(start);
            var leaf = start.AtEnd ? _tree.First : start.Leaf!;
            (leaf, var at) = EnsureRoom(leaf, start.AtEnd ? leaf.Count : start.Span, 1);
            PutSpan(leaf, at, new Span { Id = id, Length = items.Length, Left = NoId, Right = right, Content = AppendContent(items) });
            return (NoId, right);
        }
        var cursor = _tree.FindLive(index - 1);
        var left = IdAt(cursor);
        var origin = cursor.Leaf!;
        ref var span = ref origin.Spans[cursor.Span];
        long rightId;
        if (cursor.Offset + 1 < span.Length)
        {
            rightId = left + 1;
        }
        else
        {
            var next = RunTree.NextSpan(origin, cursor.Span);
            rightId = next.AtEnd ? NoId : IdAt(next);
            // Typing at the end of one's own run extends it: no new span.
            if (span.Id + span.Length == id && span.Right == rightId && span.Content + span.Length == _contentCount && CounterOf(id) != 0)
            {
                AppendContent(items);
                span.Length += items.Length;
                RunTree.AddCounts(origin, items.Length, items.Length);
                IndexSet(id, items.Length, origin.Number + 1);
                return (left, rightId);
            }
        }
        var (leafAt, s) = EnsureRoom(origin, cursor.Span, 2);
        if (cursor.Offset + 1 < leafAt.Spans[s].Length)
        {
            SplitSpan(leafAt, s, cursor.Offset + 1);
        }
        PutSpan(leafAt, s + 1, new Span { Id = id, Length = items.Length, Left = left, Right = rightId, Content = AppendContent(items) });
        return (left, rightId);
    }

    /// <summary>Deletes the visible items [index, index + count); reports each deleted run of ids.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DeleteLocal(int index, int count, UndoLog? deleted)
    {
        Debug.Assert(index >= 0 && count >= 0 && index + count <= Live, "arguments are validated by the public type");
        while (count > 0)
        {
            var cursor = _tree.FindLive(index);
            var n = Math.Min(count, cursor.Leaf!.Spans[cursor.Span].Length - cursor.Offset);
            var id = IdAt(cursor);
            Kill(cursor, n);
            deleted?.Add(id, n, inserted: false);
            count -= n;
        }
    }

    /// <summary>The deleted pieces among <paramref name="length"/> ids from <paramref name="id"/> whose content this replica still holds: each piece's last id, length and content.</summary>
    public List<(long Last, int Length, T[] Content)> DeletedPieces(long id, int length)
    {
        var pieces = new List<(long, int, T[])>();
        while (length > 0)
        {
            if (IndexGet(id) <= 0)
            {
                id++;
                length--;
                continue;
            }
            var cursor = Locate(id);
            ref readonly var span = ref cursor.Leaf!.Spans[cursor.Span];
            var n = Math.Min(length, span.Length - cursor.Offset);
            if (span.Deleted && span.Content >= 0)
            {
                pieces.Add((id + n - 1, n, _content.AsSpan(span.Content + cursor.Offset, n).ToArray()));
            }
            id += n;
            length -= n;
        }
        return pieces;
    }

    /// <summary>Inserts new local items right after an item (any item, deleted or not); returns the origins used.</summary>
    public (long Left, long Right) InsertAfter(long after, int agent, long counter, ReadOnlySpan<T> items)
    {
        CheckCapacity(items.Length);
        var at = AfterItem(after);
        var right = at.AtEnd ? NoId : IdAt(at);
        Place(at, new Span { Id = MakeId(agent, counter), Length = items.Length, Left = after, Right = right, Content = AppendContent(items) });
        return (after, right);
    }
}
