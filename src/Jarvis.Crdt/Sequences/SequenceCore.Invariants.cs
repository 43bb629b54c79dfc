using Cursor = Jarvis.Crdt.Sequences.RunTree.Cursor;

namespace Jarvis.Crdt.Sequences;

/// <summary>The sequence's invariants (the tree's are <see cref="RunTree.CheckInvariants"/>), checked after every step of the sequence tests (as diamond-types' <c>dbg_check</c>).</summary>
internal sealed partial class SequenceCore<T>
{
    /// <summary>
    /// Checks every invariant of the tree, the id index, the runs, the content buffer and the pending list;
    /// throws <see cref="InvalidOperationException"/> naming the first one broken.
    /// </summary>
    /// <param name="context">When given, the context that must hold the dot of every item held here.</param>
    /// <remarks>Linear in the items and the content held: for tests and fuzzers, never on a hot path.</remarks>
    internal void CheckInvariants(CausalContext? context = null)
    {
        _tree.CheckInvariants();
        CheckAgents();
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                CheckSpan(leaf.Spans[s], "a run");
                if (s > 0 && CanMerge(leaf.Spans[s - 1], leaf.Spans[s]))
                {
                    throw Broken($"runs are maximal within a leaf: runs {s - 1} and {s} of leaf {leaf.Number} are one");
                }
            }
        }
        CheckPending();
        CheckIdIndex();
        CheckContent();
        CheckOrigins();
        if (context is not null)
        {
            foreach (var (span, _) in HeldSpans())
            {
                if (!context.ContainsRange(_agents[AgentOf(span.Id)], (ulong)CounterOf(span.Id), (ulong)(CounterOf(span.Id) + span.Length - 1)))
                {
                    throw Broken($"the context holds the dot of every item held: {ToDot(span.Id)} and the {span.Length - 1} after it are not all in it");
                }
            }
        }
        if ((long)Total + _pendingItems > MaxItems)
        {
            throw Broken($"at most {MaxItems} items are held, but {Total} in the document and {_pendingItems} pending are");
        }
    }

    private static InvalidOperationException Broken(string invariant) => new("Sequence invariant broken: " + invariant + ".");

    private void CheckAgents()
    {
        if (_pages.Count != _agents.Count)
        {
            throw Broken($"every replica has its id pages: {_agents.Count} replicas, {_pages.Count} page sets");
        }
        if (_agents.Distinct().Count() != _agents.Count)
        {
            throw Broken("the replica table names each replica once");
        }
        if (_agentIndex is not null && (_agentIndex.Count != _agents.Count || _agentIndex.Any(pair => _agents[pair.Value] != pair.Key)))
        {
            throw Broken("the replica dictionary agrees with the replica table");
        }
    }

    /// <summary>A run is non-empty, by a known replica, within the counter range, with origins by known replicas.</summary>
    private void CheckSpan(in Span span, string what)
    {
        var counter = CounterOf(span.Id);
        if (span.Length < 1 || counter < 1 || counter + span.Length - 1 > CounterMask || AgentOf(span.Id) >= _agents.Count)
        {
            throw Broken($"{what} has at least one item, counters 1 to {CounterMask} and a known replica: id {span.Id:X}, length {span.Length}");
        }
        if ((span.Left != NoId && (span.Left < 0 || AgentOf(span.Left) >= _agents.Count || CounterOf(span.Left) < 1))
            || (span.Right != NoId && (span.Right < 0 || AgentOf(span.Right) >= _agents.Count || CounterOf(span.Right) < 1)))
        {
            throw Broken($"{what}'s origins are items of known replicas: {ToDot(span.Id)}");
        }
        if (span.Content < -1 || (span.Content >= 0 ? span.Content > _contentCount - span.Length : !span.Deleted))
        {
            throw Broken($"{what} 's content lies in the buffer, and a visible one has content: {ToDot(span.Id)} at {span.Content}, length {span.Length}, buffer {_contentCount}");
        }
    }

    /// <summary>Every item of the document is found by id in its leaf, and the index names nothing else (no stale or overlapping entries).</summary>
    private void CheckIdIndex()
    {
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                ref readonly var span = ref leaf.Spans[s];
                for (var k = 0; k < span.Length; k++)
                {
                    if (IndexGet(span.Id + k) != leaf.Number + 1)
                    {
                        throw Broken($"the id index finds every item in its leaf: {ToDot(span.Id + k)} is in leaf {leaf.Number}, the index says {IndexGet(span.Id + k) - 1}");
                    }
                }
            }
        }
        long indexed = 0;
        foreach (var pages in _pages)
        {
            foreach (var page in pages.Pages?.Values ?? Enumerable.Empty<int[]>())
            {
                foreach (var where in page)
                {
                    if (where < 0 || where > _tree.LeafCount)
                    {
                        throw Broken($"the id index names leaves that exist: it names {where - 1} of {_tree.LeafCount}");
                    }
                    indexed += where != 0 ? 1 : 0;
                }
            }
        }
        if (indexed != Total)
        {
            throw Broken($"the id index holds exactly the document's items: {indexed} indexed, {Total} in the document");
        }
    }

    /// <summary>Pending runs are valid, disjoint, absent from the document and counted; each waits for an origin the document lacks.</summary>
    private void CheckPending()
    {
        long items = 0, live = 0;
        foreach (var span in _pending)
        {
            CheckSpan(span, "a pending run");
            for (var k = 0; k < span.Length; k++)
            {
                if (IndexGet(span.Id + k) != 0)
                {
                    throw Broken($"a pending item is not in the document: {ToDot(span.Id + k)} is both");
                }
            }
            if (OriginsIntegrated(span))
            {
                throw Broken($"a pending run waits for an origin the document lacks: {ToDot(span.Id)} could be placed");
            }
            items += span.Length;
            live += span.Deleted ? 0 : span.Length;
        }
        if (items != _pendingItems || live != _pendingLive)
        {
            throw Broken($"the pending counts are the pending runs' sums: {_pendingItems} items, {_pendingLive} visible counted; the runs hold {items}, {live}");
        }
        var sorted = _pending.OrderBy(span => span.Id).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Id < sorted[i - 1].Id + sorted[i - 1].Length)
            {
                throw Broken($"pending runs do not overlap: {ToDot(sorted[i - 1].Id)} (length {sorted[i - 1].Length}) and {ToDot(sorted[i].Id)}");
            }
        }
    }

    /// <summary>No two items share content; text that claims no surrogate holds none.</summary>
    private void CheckContent()
    {
        if (_contentCount < 0 || _contentCount > _content.Length)
        {
            throw Broken($"the content count lies within the buffer: {_contentCount} of {_content.Length}");
        }
        var owned = new bool[_contentCount];
        foreach (var (span, where) in HeldSpans())
        {
            if (span.Content < 0)
            {
                continue;
            }
            for (var k = 0; k < span.Length; k++)
            {
                if (owned[span.Content + k])
                {
                    throw Broken($"no two items share content: {ToDot(span.Id + k)} ({where}) uses offset {span.Content + k} already used");
                }
                owned[span.Content + k] = true;
            }
        }
        if (typeof(T) == typeof(char) && !MayHoldSurrogates && ((char[])(object)_content).AsSpan(0, _contentCount).ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            throw Broken("text that says it never held a surrogate holds none");
        }
    }

    /// <summary>Every document item's origins are in the document, its origin left before it and its origin right after it.</summary>
    private void CheckOrigins()
    {
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                var span = leaf.Spans[s];
                if ((span.Left != NoId && !IsIntegrated(span.Left)) || (span.Right != NoId && !IsIntegrated(span.Right)))
                {
                    throw Broken($"the origins of every item in the document are in the document (or it is pending): {ToDot(span.Id)}");
                }
                var first = TotalPosition(new Cursor { Leaf = leaf, Span = s });
                if (span.Left != NoId && TotalPosition(span.Left) >= first)
                {
                    throw Broken($"an item's origin left lies before it: {ToDot(span.Id)} at {first}, its origin left {ToDot(span.Left)} at {TotalPosition(span.Left)}");
                }
                if (span.Right != NoId && TotalPosition(span.Right) <= first + span.Length - 1)
                {
                    throw Broken($"an item's origin right lies after it: {ToDot(span.Id)} and the {span.Length - 1} after it end at {first + span.Length - 1}, the origin right {ToDot(span.Right)} is at {TotalPosition(span.Right)}");
                }
            }
        }
    }

    private IEnumerable<(Span Span, string Where)> HeldSpans()
    {
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                yield return (leaf.Spans[s], "document");
            }
        }
        foreach (var span in _pending)
        {
            yield return (span, "pending");
        }
    }
}
