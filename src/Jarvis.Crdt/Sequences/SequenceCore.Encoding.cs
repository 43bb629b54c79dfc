using Jarvis.Crdt.Encoding;
using Leaf = Jarvis.Crdt.Sequences.RunTree.Leaf;

namespace Jarvis.Crdt.Sequences;

/// <summary>Writes and reads the elements of a sequence.</summary>
internal interface ISequenceElements<T>
{
    void Write(CrdtWriter writer, ReadOnlySpan<T> items);

    void Read(ref CrdtReader reader, Span<T> into);
}

/// <summary>UTF-16 code units as variable-length integers: one byte for ASCII, lone surrogates kept exactly.</summary>
internal sealed class CharElements : ISequenceElements<char>
{
    public static readonly CharElements Instance = new();

    public void Write(CrdtWriter writer, ReadOnlySpan<char> items)
    {
        foreach (var c in items)
        {
            writer.WriteVarUInt(c);
        }
    }

    public void Read(ref CrdtReader reader, Span<char> into)
    {
        for (var i = 0; i < into.Length; i++)
        {
            var value = reader.ReadVarUInt();
            if (value > char.MaxValue)
            {
                throw reader.Error("A character is out of range");
            }
            into[i] = (char)value;
        }
    }
}

/// <summary>Elements through their <see cref="ValueCodec{T}"/>.</summary>
internal sealed class CodecElements<T> : ISequenceElements<T>
{
    public static readonly CodecElements<T> Instance = new();

    public void Write(CrdtWriter writer, ReadOnlySpan<T> items)
    {
        var codec = ValueCodec<T>.Default;
        foreach (var item in items)
        {
            codec.Write(writer, item);
        }
    }

    public void Read(ref CrdtReader reader, Span<T> into)
    {
        var codec = ValueCodec<T>.Default;
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = codec.Read(ref reader);
        }
    }
}

/// <summary>
/// The encoding of a sequence's store: the document's runs in document order (maximal runs, so equal
/// states give equal bytes whatever their edit history), then the visible content, then the pending
/// runs sorted by id. Replicas are named by their position in the context.
/// </summary>
/// <remarks>
/// A run is a flags byte, then only what the flags cannot say: its replica (when it changes), its
/// counter (when it does not continue the previous run's), its length, and its origins when they are
/// not the common cases (the item just before, the previous run's origin right, the next run's first
/// item). Typing, deleting and retyping leave runs that cost two or three bytes each.
/// </remarks>
internal sealed partial class SequenceCore<T>
{
    private const int FlagDeleted = 1;
    private const int LeftShift = 1;      // 0 none, 1 the item before, 2 explicit
    private const int RightShift = 3;     // 0 none, 1 the previous run's, 2 the next run's first item, 3 explicit
    private const int FlagSameAgent = 1 << 5;
    private const int FlagContinues = 1 << 6;
    private const int PendingHasLeft = 2;
    private const int PendingHasRight = 4;

    public void Write(CrdtWriter writer, CausalContext context, ISequenceElements<T> elements)
    {
        var runs = new List<Span>();
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                ref readonly var span = ref leaf.Spans[s];
                if (runs.Count > 0 && Continues(runs[^1], span))
                {
                    var last = runs[^1];
                    last.Length += span.Length;
                    runs[^1] = last;
                }
                else
                {
                    runs.Add(span);
                }
            }
        }
        var contextIndex = new int[_agents.Count];
        for (var a = 0; a < contextIndex.Length; a++)
        {
            contextIndex[a] = context.IndexOf(_agents[a]);
        }
        writer.WriteLength(runs.Count);
        var previousAgent = -1;
        long previousEnd = 0;
        long previousLast = NoId;
        long previousRight = NoId;
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var agent = AgentOf(run.Id);
            var counter = CounterOf(run.Id);
            if (contextIndex[agent] < 0)
            {
                throw new InvalidOperationException("An item of the sequence is missing from its context.");
            }
            var leftMode = run.Left == NoId ? 0 : i > 0 && run.Left == previousLast ? 1 : 2;
            var rightMode = run.Right == NoId ? 0
                : i > 0 && run.Right == previousRight ? 1
                : i + 1 < runs.Count && run.Right == runs[i + 1].Id ? 2
                : 3;
            var sameAgent = agent == previousAgent;
            var continues = sameAgent && counter == previousEnd;
            var flags = (run.Deleted ? FlagDeleted : 0) | (leftMode << LeftShift) | (rightMode << RightShift)
                | (sameAgent ? FlagSameAgent : 0) | (continues ? FlagContinues : 0);
            writer.WriteByte((byte)flags);
            if (!sameAgent)
            {
                writer.WriteVarUInt((ulong)contextIndex[agent]);
            }
            if (!continues)
            {
                if (sameAgent)
                {
                    writer.WriteVarInt(counter - previousEnd);
                }
                else
                {
                    writer.WriteVarUInt((ulong)counter);
                }
            }
            writer.WriteVarUInt((ulong)run.Length);
            if (leftMode == 2)
            {
                WriteOrigin(writer, context, run.Left, agent, counter);
            }
            if (rightMode == 3)
            {
                WriteOrigin(writer, context, run.Right, agent, counter);
            }
            previousAgent = agent;
            previousEnd = counter + run.Length;
            previousLast = run.Id + run.Length - 1;
            previousRight = run.Right;
        }
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                ref readonly var span = ref leaf.Spans[s];
                if (!span.Deleted)
                {
                    elements.Write(writer, ContentOf(span));
                }
            }
        }
        WritePending(writer, context, elements);
    }

    private void WritePending(CrdtWriter writer, CausalContext context, ISequenceElements<T> elements)
    {
        var pieces = _pending.ToArray();
        Array.Sort(pieces, (a, b) =>
        {
            var byReplica = ReplicaOf(a.Id).CompareTo(ReplicaOf(b.Id));
            return byReplica != 0 ? byReplica : CounterOf(a.Id).CompareTo(CounterOf(b.Id));
        });
        var runs = new List<Span>();
        foreach (var piece in pieces)
        {
            if (runs.Count > 0 && Continues(runs[^1], piece))
            {
                var last = runs[^1];
                last.Length += piece.Length;
                runs[^1] = last;
            }
            else
            {
                runs.Add(piece);
            }
        }
        writer.WriteLength(runs.Count);
        foreach (var run in runs)
        {
            var index = context.IndexOf(ReplicaOf(run.Id));
            if (index < 0)
            {
                throw new InvalidOperationException("An item of the sequence is missing from its context.");
            }
            writer.WriteByte((byte)((run.Deleted ? FlagDeleted : 0) | (run.Left != NoId ? PendingHasLeft : 0) | (run.Right != NoId ? PendingHasRight : 0)));
            writer.WriteVarUInt((ulong)index);
            writer.WriteVarUInt((ulong)CounterOf(run.Id));
            writer.WriteVarUInt((ulong)run.Length);
            if (run.Left != NoId)
            {
                WriteOrigin(writer, context, run.Left, AgentOf(run.Id), CounterOf(run.Id));
            }
            if (run.Right != NoId)
            {
                WriteOrigin(writer, context, run.Right, AgentOf(run.Id), CounterOf(run.Id));
            }
        }
        foreach (var piece in pieces)
        {
            if (!piece.Deleted)
            {
                elements.Write(writer, ContentOf(piece));
            }
        }
    }

    /// <summary>An origin: 0 and a counter delta when it is the run's own replica; a context position + 1 and a counter; or past the context, the replica id itself.</summary>
    private void WriteOrigin(CrdtWriter writer, CausalContext context, long origin, int runAgent, long runCounter)
    {
        var agent = AgentOf(origin);
        var counter = CounterOf(origin);
        if (agent == runAgent)
        {
            writer.WriteVarUInt(0);
            writer.WriteVarInt(counter - runCounter);
            return;
        }
        var replica = _agents[agent];
        var index = context.IndexOf(replica);
        if (index >= 0)
        {
            writer.WriteVarUInt((ulong)index + 1);
        }
        else
        {
            writer.WriteVarUInt((ulong)context.ReplicaCount + 1);
            writer.WriteVarUInt(replica.Value);
        }
        writer.WriteVarUInt((ulong)counter);
    }

    /// <summary>Reads a store. A <paramref name="fragment"/> (an exported update) may name origins outside itself; a state may not.</summary>
    public static SequenceCore<T> Read(ref CrdtReader reader, CausalContext context, ISequenceElements<T> elements, bool fragment = false)
    {
        var core = new SequenceCore<T>();
        var count = reader.ReadCount(minBytesPerItem: 2);
        var runs = new Span[count];
        var rightIsNext = new bool[count];
        var rightExplicit = new bool[count];
        var rightBefore = new long[count];
        var previousAgent = -1;
        long previousEnd = 0;
        long previousLast = NoId;
        long previousRight = NoId;
        long items = 0;
        long live = 0;
        for (var i = 0; i < count; i++)
        {
            var flags = reader.ReadByte();
            if (flags > 0x7F)
            {
                throw reader.Error("Unknown run flags");
            }
            var leftMode = (flags >> LeftShift) & 3;
            var rightMode = (flags >> RightShift) & 3;
            var sameAgent = (flags & FlagSameAgent) != 0;
            var continues = (flags & FlagContinues) != 0;
            if (leftMode == 3 || (continues && !sameAgent) || (i == 0 && (sameAgent || leftMode == 1 || rightMode == 1)))
            {
                throw reader.Error("Inconsistent run flags");
            }
            var agent = sameAgent ? previousAgent : core.DecodeAgent(ref reader, context.ReplicaAt(ReadContextIndex(ref reader, context)));
            long counter = continues ? previousEnd
                : sameAgent ? previousEnd + reader.ReadVarInt()
                : (long)Math.Min(reader.ReadVarUInt(), (ulong)long.MaxValue);
            // One encoding per state: the writer always uses the shortest form the flags allow.
            if ((!sameAgent && agent == previousAgent) || (sameAgent && !continues && counter == previousEnd))
            {
                throw reader.Error("Non-canonical run: its replica or counter could have been implied");
            }
            var length = reader.ReadVarUInt();
            if (counter < 1 || counter > CounterMask || length < 1 || length > MaxItems || counter + (long)length - 1 > CounterMask)
            {
                throw reader.Error("A run's counter or length is out of range");
            }
            items += (long)length;
            if (items > MaxItems)
            {
                throw reader.Error("Too many items");
            }
            var id = MakeId(agent, counter);
            if (i > 0 && rightIsNext[i - 1])
            {
                if (id == rightBefore[i - 1])
                {
                    throw reader.Error("Non-canonical run: its origin right is the previous run's");
                }
                runs[i - 1].Right = id;
                previousRight = id;
            }
            var left = leftMode switch
            {
                0 => NoId,
                1 => previousLast,
                _ => core.ReadOrigin(ref reader, context, agent, counter),
            };
            var right = rightMode switch
            {
                0 => NoId,
                1 => previousRight,
                2 => NoId,
                _ => core.ReadOrigin(ref reader, context, agent, counter),
            };
            if (rightMode == 1 && right == NoId)
            {
                throw reader.Error("Non-canonical run: it takes the previous run's origin right, and there is none");
            }
            rightIsNext[i] = rightMode == 2;
            rightExplicit[i] = rightMode == 3;
            rightBefore[i] = i > 0 ? previousRight : NoId - 1;
            if ((leftMode == 2 && i > 0 && left == previousLast) || (rightMode == 3 && i > 0 && right == previousRight))
            {
                throw reader.Error("Non-canonical run: an origin written out could have been implied");
            }
            var deleted = (flags & FlagDeleted) != 0;
            if (!context.ContainsRange(core._agents[agent], (ulong)counter, (ulong)(counter + (long)length - 1)))
            {
                throw reader.Error("An item's dot is not in the context");
            }
            runs[i] = new Span { Id = id, Length = (int)length, Left = left, Right = right, Deleted = deleted };
            if (!deleted)
            {
                live += (long)length;
            }
            previousAgent = agent;
            previousEnd = counter + (long)length;
            previousLast = id + (long)length - 1;
            previousRight = right;
        }
        if (count > 0 && rightIsNext[count - 1])
        {
            throw reader.Error("The last run's origin right names a next run");
        }
        for (var i = 0; i < count; i++)
        {
            if ((rightExplicit[i] && i + 1 < count && runs[i].Right == runs[i + 1].Id) || (i > 0 && Continues(runs[i - 1], runs[i])))
            {
                throw reader.Error("Non-canonical runs: an origin could have been implied, or two runs are one");
            }
        }
        if (live > reader.Remaining)
        {
            throw reader.Error("More visible items than bytes");
        }
        core._content = new T[live];
        elements.Read(ref reader, core._content);
        core._contentCount = (int)live;
        core.NoteContent(core._content);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (!runs[i].Deleted)
            {
                runs[i].Content = offset;
                offset += runs[i].Length;
            }
            else
            {
                runs[i].Content = -1;
            }
        }
        if (core.Build(runs, validateOrigins: !fragment) is { } error)
        {
            throw reader.Error(error);
        }
        core.ReadPending(ref reader, context, elements, canonical: !fragment);
        if (!fragment)
        {
            core.RetryPending();
        }
        return core;
    }

    private static int ReadContextIndex(ref CrdtReader reader, CausalContext context)
    {
        var index = reader.ReadVarUInt();
        if (index >= (ulong)context.ReplicaCount)
        {
            throw reader.Error("A replica position is outside the context");
        }
        return (int)index;
    }

    private int DecodeAgent(ref CrdtReader reader, ReplicaId replica)
    {
        if (FindAgent(replica) is var known and >= 0)
        {
            return known;
        }
        if (_agents.Count >= MaxAgents)
        {
            throw reader.Error("Too many replicas");
        }
        return Agent(replica);
    }

    private long ReadOrigin(ref CrdtReader reader, CausalContext context, int runAgent, long runCounter)
    {
        var tag = reader.ReadVarUInt();
        int agent;
        long counter;
        if (tag == 0)
        {
            agent = runAgent;
            var delta = reader.ReadVarInt();
            counter = delta > CounterMask || delta < -CounterMask ? -1 : runCounter + delta;
        }
        else
        {
            if (tag <= (ulong)context.ReplicaCount)
            {
                agent = DecodeAgent(ref reader, context.ReplicaAt((int)(tag - 1)));
            }
            else if (tag == (ulong)context.ReplicaCount + 1)
            {
                var raw = new ReplicaId(reader.ReadNonZeroVarUInt());
                if (context.IndexOf(raw) >= 0)
                {
                    throw reader.Error("Non-canonical origin: a replica of the context written out");
                }
                agent = DecodeAgent(ref reader, raw);
            }
            else
            {
                throw reader.Error("An origin names an unknown replica");
            }
            if (agent == runAgent)
            {
                throw reader.Error("Non-canonical origin: the run's own replica named");
            }
            counter = (long)Math.Min(reader.ReadVarUInt(), (ulong)long.MaxValue);
        }
        if (counter < 1 || counter > CounterMask)
        {
            throw reader.Error("An origin's counter is out of range");
        }
        return MakeId(agent, counter);
    }

    /// <summary>Lays decoded runs (document order) into leaves and builds the tree and id index above them.</summary>
    /// <returns>An error message, or null.</returns>
    private string? Build(Span[] runs, bool validateOrigins)
    {
        _tree.Load(runs);
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                ref readonly var run = ref leaf.Spans[s];
                if (!IndexRangeFree(run.Id, run.Length))
                {
                    return "An item appears twice";
                }
                IndexSet(run.Id, run.Length, leaf.Number + 1);
            }
        }
        if (validateOrigins)
        {
            for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
            {
                for (var s = 0; s < leaf.Count; s++)
                {
                    ref readonly var run = ref leaf.Spans[s];
                    if ((run.Left != NoId && !IsIntegrated(run.Left)) || (run.Right != NoId && !IsIntegrated(run.Right)))
                    {
                        return "An item's origin is not in the document";
                    }
                    // Integration places a run between its origins; a state that lists one elsewhere was not made by it.
                    if ((run.Left != NoId && WhereAgainst(run.Left, leaf, s) >= 0) || (run.Right != NoId && WhereAgainst(run.Right, leaf, s) <= 0))
                    {
                        return "An item does not lie between its origins";
                    }
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Where an item of a freshly built tree lies against run <paramref name="s"/> of <paramref name="leaf"/>: negative
    /// before it, zero inside it, positive after it. Leaves are numbered in document order there, so this costs an
    /// index lookup, and a look at the neighbouring runs (most origins are there) or a scan of the leaf only when
    /// both are in the same leaf.
    /// </summary>
    private int WhereAgainst(long id, Leaf leaf, int s)
    {
        var number = IndexGet(id) - 1;
        if (number != leaf.Number)
        {
            return number.CompareTo(leaf.Number);
        }
        if (s > 0 && id >= leaf.Spans[s - 1].Id && id < leaf.Spans[s - 1].Id + leaf.Spans[s - 1].Length)
        {
            return -1;
        }
        if (s + 1 < leaf.Count && id >= leaf.Spans[s + 1].Id && id < leaf.Spans[s + 1].Id + leaf.Spans[s + 1].Length)
        {
            return 1;
        }
        return FindSpan(leaf, id).CompareTo(s);
    }

    /// <summary>
    /// The items not covered by <paramref name="version"/>, in document order, as a fragment (a partial
    /// document whose origins may lie outside it), plus the dots of every deleted item in <paramref name="context"/>.
    /// </summary>
    public SequenceCore<T> ExportSince(CausalContext? version, CausalContext context)
    {
        var fragment = new SequenceCore<T>();
        var runs = new List<Span>();
        var deleted = new List<(ulong From, ulong To)>?[_agents.Count];
        void Export(in Span span, bool pending)
        {
            var replica = _agents[AgentOf(span.Id)];
            var agent = fragment.Agent(replica);
            if (span.Deleted)
            {
                var counter = (ulong)CounterOf(span.Id);
                (deleted[AgentOf(span.Id)] ??= []).Add((counter, counter + (ulong)span.Length - 1));
            }
            var k = 0;
            while (k < span.Length)
            {
                var covered = version is not null && version.Contains(new Dot(replica, (ulong)CounterOf(span.Id + k)));
                var m = 1;
                while (k + m < span.Length && (version is not null && version.Contains(new Dot(replica, (ulong)CounterOf(span.Id + k + m)))) == covered)
                {
                    m++;
                }
                if (!covered)
                {
                    var part = new Span
                    {
                        Id = MakeId(agent, CounterOf(span.Id + k)),
                        Length = m,
                        Left = fragment.Translate(this, k == 0 ? span.Left : span.Id + k - 1),
                        Right = fragment.Translate(this, span.Right),
                        Deleted = span.Deleted,
                        Content = span.Deleted ? -1 : fragment.AppendContent(ContentOf(span).Slice(k, m)),
                    };
                    if (pending)
                    {
                        fragment.AddPending(part);
                    }
                    else
                    {
                        runs.Add(part);
                    }
                    context.AddRange(replica, (ulong)CounterOf(part.Id), (ulong)CounterOf(part.Id) + (ulong)m - 1);
                }
                k += m;
            }
        }
        for (var leaf = _tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                Export(leaf.Spans[s], pending: false);
            }
        }
        foreach (var span in _pending)
        {
            Export(span, pending: true);
        }
        for (var a = 0; a < deleted.Length; a++)
        {
            if (deleted[a] is { } ranges)
            {
                context.AddRanges(_agents[a], ranges);
            }
        }
        _ = fragment.Build([.. runs], validateOrigins: false);
        return fragment;
    }

    /// <summary>An id of <paramref name="source"/> as an id of this sequence (adding its replica here).</summary>
    private long Translate(SequenceCore<T> source, long id) => id == NoId ? NoId : MakeId(Agent(source._agents[AgentOf(id)]), CounterOf(id));

    /// <summary>
    /// The items of a fragment that would wait here: those whose origin neither this sequence nor the
    /// fragment holds (a bound checked before an update is applied).
    /// </summary>
    public long WouldWait(SequenceCore<T> fragment)
    {
        long waiting = 0;
        bool Missing(long id) => id != NoId && !fragment.Holds(id) && !Holds(Translate(fragment, id));
        void Count(in Span span)
        {
            if (Missing(span.Left) || Missing(span.Right))
            {
                waiting += span.Length;
            }
        }
        for (var leaf = fragment._tree.First; leaf is not null; leaf = leaf.Next)
        {
            for (var s = 0; s < leaf.Count; s++)
            {
                Count(leaf.Spans[s]);
            }
        }
        foreach (var span in fragment._pending)
        {
            Count(span);
        }
        return waiting;
    }

    /// <summary>Adds a run of new items, named by dots (building a delta).</summary>
    public void AddForeignRun(ReplicaId replica, long counter, int length, Dot? left, Dot? right, bool deleted, ReadOnlySpan<T> content)
    {
        var agent = Agent(replica);
        // Placed at once when its origins are here (the start or end of an empty delta), else pending:
        // a state never holds a pending run that could be placed, so equal states encode equally.
        AddItems(new Span
        {
            Id = MakeId(agent, counter),
            Length = length,
            Left = left is { } l ? MakeId(Agent(l.Replica), (long)l.Counter) : NoId,
            Right = right is { } r ? MakeId(Agent(r.Replica), (long)r.Counter) : NoId,
            Deleted = deleted,
            Content = deleted ? -1 : AppendContent(content),
        });
    }

    private bool IndexRangeFree(long id, int length)
    {
        for (var k = 0; k < length; k++)
        {
            if (IndexGet(id + k) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void ReadPending(ref CrdtReader reader, CausalContext context, ISequenceElements<T> elements, bool canonical)
    {
        var count = reader.ReadCount(minBytesPerItem: 4);
        var pieces = new Span[count];
        long live = 0;
        for (var i = 0; i < count; i++)
        {
            var flags = reader.ReadByte();
            if (flags > 7)
            {
                throw reader.Error("Unknown pending flags");
            }
            var agent = DecodeAgent(ref reader, context.ReplicaAt(ReadContextIndex(ref reader, context)));
            var counter = (long)Math.Min(reader.ReadVarUInt(), (ulong)long.MaxValue);
            var length = reader.ReadVarUInt();
            if (counter < 1 || counter > CounterMask || length < 1 || length > MaxItems || counter + (long)length - 1 > CounterMask
                || (long)_tree.Total + _pendingItems + (long)length > MaxItems)
            {
                throw reader.Error("A pending run's counter or length is out of range");
            }
            var id = MakeId(agent, counter);
            var left = (flags & PendingHasLeft) != 0 ? ReadOrigin(ref reader, context, agent, counter) : NoId;
            var right = (flags & PendingHasRight) != 0 ? ReadOrigin(ref reader, context, agent, counter) : NoId;
            if (!context.ContainsRange(_agents[agent], (ulong)counter, (ulong)(counter + (long)length - 1)))
            {
                throw reader.Error("An item's dot is not in the context");
            }
            if (!IndexRangeFree(id, (int)length))
            {
                throw reader.Error("An item appears twice");
            }
            var deleted = (flags & FlagDeleted) != 0;
            pieces[i] = new Span { Id = id, Length = (int)length, Left = left, Right = right, Deleted = deleted, Content = -1 };
            if (canonical && i > 0)
            {
                var previous = pieces[i - 1];
                var byReplica = ReplicaOf(previous.Id).CompareTo(ReplicaOf(id));
                if (byReplica > 0 || (byReplica == 0 && CounterOf(previous.Id) >= counter) || Continues(previous, pieces[i]))
                {
                    throw reader.Error("Non-canonical pending runs: out of order, or two runs are one");
                }
            }
            if (canonical && OriginsIntegrated(pieces[i]))
            {
                throw reader.Error("A pending run whose origins are in the document");
            }
            AddPending(pieces[i]);
            if (!deleted)
            {
                live += (long)length;
            }
        }
        if (live > reader.Remaining)
        {
            throw reader.Error("More visible items than bytes");
        }
        for (var i = 0; i < _pending.Count; i++)
        {
            var piece = _pending[i];
            if (!piece.Deleted)
            {
                var buffer = new T[piece.Length];
                elements.Read(ref reader, buffer);
                piece.Content = AppendContent(buffer);
                _pending[i] = piece;
            }
        }
    }
}
