using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cursor = Jarvis.Crdt.Sequences.RunTree.Cursor;
using Leaf = Jarvis.Crdt.Sequences.RunTree.Leaf;

namespace Jarvis.Crdt.Sequences;

/// <summary>A run of items: consecutive counters of one replica, each item's origin left the item before it, one origin right.</summary>
internal struct Span
{
    /// <summary>The first item's packed id.</summary>
    public long Id;

    /// <summary>The first item's origin left (packed), or <see cref="SequenceCore{T}.NoId"/> for the start of the document.</summary>
    public long Left;

    /// <summary>Every item's origin right (packed), or <see cref="SequenceCore{T}.NoId"/> for the end of the document.</summary>
    public long Right;

    /// <summary>The number of items.</summary>
    public int Length;

    /// <summary>Offset of the first item's content in the content buffer, or -1 when the content is not held (a deleted item received as such).</summary>
    public int Content;

    /// <summary>Whether the items are deleted (tombstones: kept for their position).</summary>
    public bool Deleted;
}

internal sealed partial class SequenceCore<T>
{
    private Stack<Span>? _mergeStack;
    private HashSet<long>? _mergeVisiting;

    // ---------------------------------------------------------------- deleting

    /// <summary>Marks n visible items from the cursor (all in its span) deleted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Kill(Cursor cursor, int n)
    {
        var (leaf, s) = EnsureRoom(cursor.Leaf!, cursor.Span, 2);
        Debug.Assert(!leaf.Spans[s].Deleted && cursor.Offset + n <= leaf.Spans[s].Length, "kills live items of one span");
        if (cursor.Offset > 0)
        {
            SplitSpan(leaf, s, cursor.Offset);
            s++;
        }
        if (n < leaf.Spans[s].Length)
        {
            SplitSpan(leaf, s, n);
        }
        leaf.Spans[s].Deleted = true;
        RunTree.AddCounts(leaf, -n, 0);
        MergeAround(leaf, s);
    }

    /// <summary>Deletes the held, visible items among <paramref name="length"/> ids from <paramref name="id"/>; returns how many it deleted.</summary>
    public int KillIds(long id, int length, List<(long Id, int Length)>? killed = null)
    {
        var total = 0;
        while (length > 0)
        {
            var where = Where(id);
            int n;
            if (where == 0)
            {
                n = 1;
            }
            else if (where > 0)
            {
                var cursor = Locate(id);
                ref readonly var span = ref cursor.Leaf!.Spans[cursor.Span];
                n = Math.Min(length, span.Length - cursor.Offset);
                if (!span.Deleted)
                {
                    Kill(cursor, n);
                    total += n;
                    killed?.Add((id, n));
                }
            }
            else
            {
                var p = FindPending(id);
                var span = _pending[p];
                n = (int)Math.Min(length, span.Id + span.Length - id);
                if (!span.Deleted)
                {
                    KillPending(p, (int)(id - span.Id), n);
                    total += n;
                    killed?.Add((id, n));
                }
            }
            id += n;
            length -= n;
        }
        return total;
    }

    // ---------------------------------------------------------------- pending items

    private int FindPending(long id)
    {
        var index = FindPendingOrNone(id);
        return index >= 0 ? index : throw new UnreachableException("an item taken for pending is not in the pending list");
    }

    private int FindPendingOrNone(long id)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            var span = _pending[i];
            if (id >= span.Id && id < span.Id + span.Length)
            {
                return i;
            }
        }
        return -1;
    }

    private void KillPending(int index, int offset, int n)
    {
        var span = _pending[index];
        Debug.Assert(!span.Deleted, "only live pending items are killed");
        var parts = new List<Span>(3);
        if (offset > 0)
        {
            parts.Add(span with { Length = offset });
        }
        parts.Add(new Span
        {
            Id = span.Id + offset,
            Length = n,
            Left = offset == 0 ? span.Left : span.Id + offset - 1,
            Right = span.Right,
            Content = span.Content < 0 ? -1 : span.Content + offset,
            Deleted = true,
        });
        if (offset + n < span.Length)
        {
            parts.Add(new Span
            {
                Id = span.Id + offset + n,
                Length = span.Length - offset - n,
                Left = span.Id + offset + n - 1,
                Right = span.Right,
                Content = span.Content < 0 ? -1 : span.Content + offset + n,
                Deleted = false,
            });
        }
        _pending.RemoveAt(index);
        _pending.InsertRange(index, parts);
        _pendingLive -= n;
    }

    private void AddPending(in Span span)
    {
        _pending.Add(span);
        _pendingItems += span.Length;
        if (!span.Deleted)
        {
            _pendingLive += span.Length;
        }
    }

    /// <summary>Integrates every pending run whose origins are now in the document, until none is left that can.</summary>
    private void RetryPending()
    {
        var progress = true;
        while (progress && _pending.Count > 0)
        {
            progress = false;
            for (var i = 0; i < _pending.Count;)
            {
                var span = _pending[i];
                if (OriginsIntegrated(span))
                {
                    _pending.RemoveAt(i);
                    _pendingItems -= span.Length;
                    if (!span.Deleted)
                    {
                        _pendingLive -= span.Length;
                    }
                    Integrate(span);
                    progress = true;
                }
                else
                {
                    i++;
                }
            }
        }
    }

    private bool OriginsIntegrated(in Span span)
        => (span.Left == NoId || IsIntegrated(span.Left)) && (span.Right == NoId || IsIntegrated(span.Right));

    /// <summary>Adds new items: into the document when their origins are there, else to the pending list.</summary>
    private void AddItems(in Span span)
    {
        if (OriginsIntegrated(span))
        {
            Integrate(span);
        }
        else
        {
            AddPending(span);
        }
    }

    // ---------------------------------------------------------------- integrating remote items

    /// <summary>
    /// Places new items (absent here, origins in the document) by the YjsMod/FugueMax rule: scan the items
    /// between the origins, skipping those that belong after the new run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Integrate(Span item)
    {
        var cursor = item.Left == NoId ? _tree.Start() : AfterItem(item.Left);
        var destination = cursor;
        var scanning = false;
        var leftPosition = int.MinValue;
        var rightPosition = int.MinValue;
        while (true)
        {
            if (!scanning)
            {
                destination = cursor;
            }
            if (cursor.AtEnd)
            {
                break;
            }
            var leaf = cursor.Leaf!;
            var other = leaf.Spans[cursor.Span];
            var otherId = other.Id + cursor.Offset;
            if (otherId == item.Right)
            {
                break;
            }
            var otherLeft = cursor.Offset == 0 ? other.Left : otherId - 1;
            int byLeft;
            if (otherLeft == item.Left)
            {
                byLeft = 0;
            }
            else
            {
                if (leftPosition == int.MinValue)
                {
                    leftPosition = TotalPosition(item.Left);
                }
                byLeft = TotalPosition(otherLeft).CompareTo(leftPosition);
            }
            if (byLeft < 0)
            {
                break;
            }
            if (byLeft == 0)
            {
                int byRight;
                if (other.Right == item.Right)
                {
                    byRight = 0;
                }
                else
                {
                    if (rightPosition == int.MinValue)
                    {
                        rightPosition = item.Right == NoId ? _tree.Total : TotalPosition(item.Right);
                    }
                    byRight = (other.Right == NoId ? _tree.Total : TotalPosition(other.Right)).CompareTo(rightPosition);
                }
                if (byRight == 0)
                {
                    if (ReplicaOf(item.Id) < ReplicaOf(otherId))
                    {
                        break;
                    }
                    scanning = false;
                }
                else
                {
                    scanning = byRight < 0;
                }
            }
            // The rest of this span has the item before as origin left: each belongs before the new run
            // exactly when the first examined one did, so skip it whole (stopping at the new run's origin right).
            if (item.Right != NoId && item.Right > otherId && item.Right < other.Id + other.Length)
            {
                cursor = new Cursor { Leaf = leaf, Span = cursor.Span, Offset = (int)(item.Right - other.Id) };
            }
            else
            {
                cursor = RunTree.NextSpan(leaf, cursor.Span);
            }
        }
        Place(destination, item);
    }

    private Cursor AfterItem(long id)
    {
        var cursor = Locate(id);
        return RunTree.After(cursor.Leaf!, cursor.Span, cursor.Offset);
    }

    /// <summary>Puts a new run before the item at <paramref name="at"/> (or at the end), extending the run before it when it continues it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Place(Cursor at, in Span item)
    {
        Leaf leaf;
        int s;
        if (at.AtEnd)
        {
            leaf = _tree.LastLeaf();
            s = leaf.Count;
        }
        else if (at.Offset > 0)
        {
            (leaf, s) = EnsureRoom(at.Leaf!, at.Span, 2);
            SplitSpan(leaf, s, at.Offset);
            PutSpan(leaf, s + 1, item);
            return;
        }
        else
        {
            leaf = at.Leaf!;
            s = at.Span;
        }
        // Extend the run just before, when the new one continues it (a remote replica typing on).
        var before = s > 0 ? leaf : leaf.Previous;
        while (s == 0 && before is not null && before.Count == 0)
        {
            before = before.Previous;
        }
        if (before is not null)
        {
            var b = ReferenceEquals(before, leaf) ? s - 1 : before.Count - 1;
            ref var previous = ref before.Spans[b];
            if (CanMerge(previous, item))
            {
                previous.Length += item.Length;
                RunTree.AddCounts(before, item.Deleted ? 0 : item.Length, item.Length);
                IndexSet(item.Id, item.Length, before.Number + 1);
                return;
            }
        }
        (leaf, s) = EnsureRoom(leaf, s, 1);
        PutSpan(leaf, s, item);
    }

    // ---------------------------------------------------------------- joining another state

    /// <summary>
    /// The store half of the causal join: items either side holds are kept (the document is their union);
    /// an item is visible when every side that holds it shows it, and no side's context has seen it
    /// without holding it visible (that side deleted it).
    /// </summary>
    public bool JoinFrom(SequenceCore<T> other, CausalContext thisContext, CausalContext otherContext)
    {
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var map = new int[other._agents.Count];
        for (var a = 0; a < map.Length; a++)
        {
            map[a] = Agent(other._agents[a]);
        }
        var changed = false;
        if (!other.HoldsNothing)
        {
            CheckCapacity(0);
            var merger = new Merger(this, other, map, thisContext);
            for (var leaf = other._tree.First; leaf is not null; leaf = leaf.Next)
            {
                for (var s = 0; s < leaf.Count; s++)
                {
                    changed |= merger.MergeWithDependencies(leaf.Spans[s]);
                }
            }
            foreach (var span in other._pending.ToArray())
            {
                changed |= merger.MergeWithDependencies(span);
            }
        }
        changed |= KillByContext(other, otherContext);
        if (changed)
        {
            RetryPending();
        }
        return changed;
    }

    /// <summary>Deletes the visible items that <paramref name="context"/> has seen (joining with a bottom store of that context).</summary>
    public bool RemoveCovered(CausalContext context) => KillByContext(null, context);

    private readonly struct Merger(SequenceCore<T> self, SequenceCore<T> other, int[] map, CausalContext thisContext)
    {

        private long Translate(long otherId) => otherId == NoId ? NoId : MakeId(map[AgentOf(otherId)], CounterOf(otherId));

        /// <summary>Merges a run of the other side, first merging the runs that hold its missing origins.</summary>
        public bool MergeWithDependencies(Span span)
        {
            if (MissingDependency(span) is null)
            {
                return Merge(span);
            }
            var changed = false;
            var stack = self._mergeStack ??= new Stack<Span>();
            var visiting = self._mergeVisiting ??= [];
            stack.Push(span);
            while (stack.Count > 0)
            {
                var top = stack.Peek();
                if (MissingDependency(top) is { } dependency && visiting.Add(dependency.Id))
                {
                    stack.Push(dependency);
                    continue;
                }
                stack.Pop();
                changed |= Merge(top);
            }
            visiting.Clear();
            return changed;
        }

        /// <summary>The other side's run holding an origin of <paramref name="span"/> this side lacks, if the span needs it.</summary>
        private Span? MissingDependency(in Span span)
        {
            var first = Translate(span.Id);
            var firstAbsent = !self.Holds(first);
            var anyAbsent = firstAbsent;
            for (var k = 1; !anyAbsent && k < span.Length; k++)
            {
                anyAbsent = !self.Holds(first + k);
            }
            if (!anyAbsent)
            {
                return null;
            }
            if (firstAbsent && span.Left != NoId && !self.Holds(Translate(span.Left)) && other.FindRun(span.Left) is { } left)
            {
                return left;
            }
            if (span.Right != NoId && !self.Holds(Translate(span.Right)) && other.FindRun(span.Right) is { } right)
            {
                return right;
            }
            return null;
        }

        /// <summary>Merges one run of the other side whose needed origins are held here (or held nowhere: then it waits).</summary>
        private bool Merge(in Span span)
        {
            var changed = false;
            var first = Translate(span.Id);
            var replica = self._agents[AgentOf(first)];
            var content = other.ContentOf(span);
            var c = 0;
            while (c < span.Length)
            {
                var id = first + c;
                var where = self.Where(id);
                if (where != 0)
                {
                    var n = self.HeldRun(id, span.Length - c);
                    if (span.Deleted && self.KillIds(id, n) > 0)
                    {
                        changed = true;
                    }
                    c += n;
                    continue;
                }
                var absent = 1;
                while (c + absent < span.Length && self.Where(id + absent) == 0)
                {
                    absent++;
                }
                self.CheckCapacity(absent);
                // Items this side's context has seen but does not hold were deleted here before they arrived.
                var k = 0;
                while (k < absent)
                {
                    var dead = span.Deleted || thisContext.Contains(new Dot(replica, (ulong)CounterOf(id + k)));
                    var m = 1;
                    while (k + m < absent && (span.Deleted || thisContext.Contains(new Dot(replica, (ulong)CounterOf(id + k + m)))) == dead)
                    {
                        m++;
                    }
                    self.AddItems(new Span
                    {
                        Id = id + k,
                        Length = m,
                        Left = c + k == 0 ? Translate(span.Left) : id + k - 1,
                        Right = Translate(span.Right),
                        Deleted = dead,
                        Content = dead ? -1 : self.AppendContent(content.Slice(c + k, m)),
                    });
                    k += m;
                }
                changed = true;
                c += absent;
            }
            return changed;
        }
    }

    /// <summary>The run holding an item (document or pending), or null.</summary>
    private Span? FindRun(long id)
    {
        var where = Where(id);
        if (where > 0)
        {
            var leaf = _tree.LeafAt(where - 1);
            return leaf.Spans[FindSpan(leaf, id)];
        }
        return where < 0 ? _pending[FindPending(id)] : null;
    }

    /// <summary>How many items from a held id, up to <paramref name="max"/>, lie in the run holding it.</summary>
    private int HeldRun(long id, int max)
    {
        var where = Where(id);
        if (where > 0)
        {
            var cursor = Locate(id);
            return Math.Min(max, cursor.Leaf!.Spans[cursor.Span].Length - cursor.Offset);
        }
        var span = _pending[FindPending(id)];
        return (int)Math.Min(max, span.Id + span.Length - id);
    }

    /// <summary>
    /// Deletes the visible items whose dots <paramref name="context"/> has seen while <paramref name="other"/>
    /// (the side that context belongs to) does not hold them: that side deleted them.
    /// </summary>
    private bool KillByContext(SequenceCore<T>? other, CausalContext context)
    {
        if (context.IsEmpty || LiveDots == 0)
        {
            return false;
        }
        var kills = new List<(long Id, int Length)>();
        if (context.DotCount <= ((ulong)LiveDots * 4) + 1024)
        {
            foreach (var (replica, from, to) in context.Ranges())
            {
                var agent = FindAgent(replica);
                if (agent < 0 || from > CounterMask)
                {
                    continue;
                }
                var otherAgent = other?.FindAgent(replica) ?? -1;
                var last = (long)Math.Min(to, CounterMask);
                var c = (long)from;
                while (c <= last)
                {
                    var page = _pages[agent].Find(c >> PageBits);
                    if (page is null)
                    {
                        c = ((c >> PageBits) + 1) << PageBits;
                        continue;
                    }
                    var where = page[(int)(c & (PageSize - 1))];
                    if (where == 0)
                    {
                        c++;
                        continue;
                    }
                    var id = MakeId(agent, c);
                    var n = HeldRun(id, (int)Math.Min(int.MaxValue, last - c + 1));
                    if (IsVisible(id))
                    {
                        CollectUnheld(other, otherAgent, id, n, kills);
                    }
                    c += n;
                }
            }
            // Pending items are not in the id index: check them against the context directly.
            foreach (var span in _pending)
            {
                VisitSpan(span);
            }
        }
        else
        {
            for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
            {
                for (var s = 0; s < leaf.Count; s++)
                {
                    VisitSpan(leaf.Spans[s]);
                }
            }
            foreach (var span in _pending)
            {
                VisitSpan(span);
            }
        }
        var changed = false;
        foreach (var (id, length) in kills)
        {
            changed |= KillIds(id, length) > 0;
        }
        return changed;

        void VisitSpan(in Span span)
        {
            if (span.Deleted)
            {
                return;
            }
            var replica = _agents[AgentOf(span.Id)];
            var otherAgent = other?.FindAgent(replica) ?? -1;
            var k = 0;
            while (k < span.Length)
            {
                var seen = context.Contains(new Dot(replica, (ulong)CounterOf(span.Id + k)));
                var m = 1;
                while (k + m < span.Length && context.Contains(new Dot(replica, (ulong)CounterOf(span.Id + k + m))) == seen)
                {
                    m++;
                }
                if (seen)
                {
                    CollectUnheld(other, otherAgent, span.Id + k, m, kills);
                }
                k += m;
            }
        }
    }

    private bool IsVisible(long id)
    {
        var where = Where(id);
        if (where > 0)
        {
            var cursor = Locate(id);
            return !cursor.Leaf!.Spans[cursor.Span].Deleted;
        }
        return where < 0 && !_pending[FindPending(id)].Deleted;
    }

    /// <summary>Adds to <paramref name="kills"/> the runs among n items from <paramref name="id"/> that <paramref name="other"/> does not hold.</summary>
    private static void CollectUnheld(SequenceCore<T>? other, int otherAgent, long id, int n, List<(long Id, int Length)> kills)
    {
        if (other is null || otherAgent < 0)
        {
            kills.Add((id, n));
            return;
        }
        var counter = CounterOf(id);
        var k = 0;
        while (k < n)
        {
            var held = other.Holds(MakeId(otherAgent, counter + k));
            var m = 1;
            while (k + m < n && other.Holds(MakeId(otherAgent, counter + k + m)) == held)
            {
                m++;
            }
            if (!held)
            {
                kills.Add((id + k, m));
            }
            k += m;
        }
    }

    // ---------------------------------------------------------------- dots

    /// <summary>Adds the dots of every visible item (document and pending) to a context.</summary>
    public void CollectDots(CausalContext into)
    {
        var byAgent = new List<(ulong From, ulong To)>?[_agents.Count];
        void Add(in Span span)
        {
            if (!span.Deleted)
            {
                var counter = (ulong)CounterOf(span.Id);
                (byAgent[AgentOf(span.Id)] ??= []).Add((counter, counter + (ulong)span.Length - 1));
            }
        }
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                Add(leaf.Spans[s]);
            }
        }
        foreach (var span in _pending)
        {
            Add(span);
        }
        for (var a = 0; a < byAgent.Length; a++)
        {
            if (byAgent[a] is { } ranges)
            {
                into.AddRanges(_agents[a], ranges);
            }
        }
    }

    /// <summary>Whether any item (visible, deleted or pending) was written by the replica.</summary>
    public bool HoldsItemsOf(ReplicaId replica)
    {
        var agent = FindAgent(replica);
        return agent >= 0 && ((_pages[agent].Pages?.Values.Any(page => page.AsSpan().ContainsAnyExcept(0)) ?? false)
            || _pending.Exists(span => AgentOf(span.Id) == agent));
    }

    // ---------------------------------------------------------------- copying

    /// <summary>A deep copy.</summary>
    public SequenceCore<T> Clone()
    {
        var copy = new SequenceCore<T>();
        foreach (var replica in _agents)
        {
            copy.Agent(replica);
        }
        for (var a = 0; a < _pages.Count; a++)
        {
            if (_pages[a].Pages is { } pages)
            {
                copy._pages[a].Pages = pages.ToDictionary(p => p.Key, p => (int[])p.Value.Clone());
            }
        }
        copy._tree = _tree.Clone();
        copy._content = _content.AsSpan(0, _contentCount).ToArray();
        copy._contentCount = _contentCount;
        copy.MayHoldSurrogates = MayHoldSurrogates;
        copy._pending.AddRange(_pending);
        copy._pendingItems = _pendingItems;
        copy._pendingLive = _pendingLive;
        return copy;
    }
}
