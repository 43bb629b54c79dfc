using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Jarvis.Crdt.Sequences;

/// <summary>
/// The B-tree under <see cref="SequenceCore{T}"/>: the runs of a sequence in document order, in leaves of up to
/// <see cref="LeafCapacity"/> runs chained left to right, under inner nodes of up to <see cref="Fanout"/>
/// children; every node counts the visible and the total items below it, so a visible index finds its run, and a
/// run its position, in O(log n).
/// </summary>
/// <remarks>
/// <para>The tree knows a run only by its length and deleted flag. What ids, origins and content mean, and when
/// runs split or merge, is the sequence's: it edits runs in place and reports count changes with
/// <see cref="AddCounts"/>. Leaves are numbered in creation order and never removed, so the sequence's id index
/// names a leaf by its number; <see cref="EnsureRoom"/> reports the leaf a split creates, whose runs the
/// caller re-indexes.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
internal sealed class RunTree
{
    internal const int LeafCapacity = 32;

    /// <summary>Runs per leaf when a decoded state is laid out: room for edits before the first split.</summary>
    internal const int LoadedLeafFill = 24;

    internal const int Fanout = 32;

    private readonly List<Leaf> _leaves = [];
    private Node _root;

    public RunTree()
    {
        First = NewLeaf();
        _root = First;
    }

    /// <summary>The leftmost leaf (possibly empty); the chain through <see cref="Leaf.Next"/> visits every leaf in document order.</summary>
    public Leaf First { get; private set; }

    /// <summary>The number of visible items.</summary>
    public int Live => _root.Live;

    /// <summary>The number of items, visible or deleted.</summary>
    public int Total => _root.Total;

    /// <summary>The number of leaves (numbers 0 to LeafCount - 1).</summary>
    public int LeafCount => _leaves.Count;

    internal Node Root => _root;

    public Leaf LeafAt(int number) => _leaves[number];

    internal abstract class Node
    {
        public Inner? Parent;
        public int Live;
        public int Total;
    }

    internal sealed class Leaf : Node
    {
        public Span[] Spans = [];
        public int Count;
        public Leaf? Next;
        public Leaf? Previous;
        public int Number;

        /// <summary>Leaves start small (a delta has one run) and grow to their capacity.</summary>
        public void Grow()
        {
            if (Count == Spans.Length)
            {
                Array.Resize(ref Spans, Math.Min(LeafCapacity, Math.Max(4, Spans.Length * 2)));
            }
        }

        /// <summary>Inserts a run at an index; the leaf must have room. Counts are the caller's (<see cref="Put"/> keeps them).</summary>
        public void Insert(int index, in Span span)
        {
            Debug.Assert(Count < LeafCapacity, "the caller made room");
            Grow();
            Array.Copy(Spans, index, Spans, index + 1, Count - index);
            Spans[index] = span;
            Count++;
        }

        public void RemoveAt(int index)
        {
            Array.Copy(Spans, index + 1, Spans, index, Count - index - 1);
            Count--;
            Spans[Count] = default;
        }
    }

    internal sealed class Inner : Node
    {
        public readonly Node[] Children = new Node[Fanout];
        public int Count;
    }

    /// <summary>A place in the document: an item (leaf, run, offset in the run), or the end when <see cref="Leaf"/> is null.</summary>
    internal struct Cursor
    {
        public Leaf? Leaf;
        public int Span;
        public int Offset;

        public readonly bool AtEnd => Leaf is null;
    }

    private Leaf NewLeaf()
    {
        var leaf = new Leaf { Number = _leaves.Count };
        _leaves.Add(leaf);
        return leaf;
    }

    // ---------------------------------------------------------------- counts

    /// <summary>Adds to the counts of a node and every node above it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddCounts(Node? node, int live, int total)
    {
        while (node is not null)
        {
            node.Live += live;
            node.Total += total;
            node = node.Parent;
        }
    }

    private static void Recount(Leaf leaf)
    {
        int live = 0, total = 0;
        for (var i = 0; i < leaf.Count; i++)
        {
            ref readonly var span = ref leaf.Spans[i];
            total += span.Length;
            if (!span.Deleted)
            {
                live += span.Length;
            }
        }
        leaf.Live = live;
        leaf.Total = total;
    }

    private static void Recount(Inner inner)
    {
        int live = 0, total = 0;
        for (var i = 0; i < inner.Count; i++)
        {
            live += inner.Children[i].Live;
            total += inner.Children[i].Total;
        }
        inner.Live = live;
        inner.Total = total;
    }

    /// <summary>Inserts a run at (leaf, index) and counts its items; the leaf must have room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Put(Leaf leaf, int index, in Span span)
    {
        leaf.Insert(index, span);
        AddCounts(leaf, span.Deleted ? 0 : span.Length, span.Length);
    }

    // ---------------------------------------------------------------- splitting

    /// <summary>
    /// Makes room for <paramref name="needed"/> more runs in a leaf, splitting it in half if full; returns where run
    /// <paramref name="index"/> now is, and the new right half when the leaf split (its runs moved to a new leaf number).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (Leaf Leaf, int Index, Leaf? Split) EnsureRoom(Leaf leaf, int index, int needed)
    {
        if (leaf.Count + needed <= LeafCapacity)
        {
            return (leaf, index, null);
        }
        var half = leaf.Count / 2;
        var right = SplitLeaf(leaf, half);
        return index >= half ? (right, index - half, right) : (leaf, index, right);
    }

    private Leaf SplitLeaf(Leaf leaf, int at)
    {
        var right = NewLeaf();
        var moved = leaf.Count - at;
        right.Spans = new Span[LeafCapacity];
        leaf.Spans.AsSpan(at, moved).CopyTo(right.Spans);
        leaf.Spans.AsSpan(at, moved).Clear();
        right.Count = moved;
        leaf.Count = at;
        Recount(leaf);
        Recount(right);
        right.Next = leaf.Next;
        right.Previous = leaf;
        if (leaf.Next is not null)
        {
            leaf.Next.Previous = right;
        }
        leaf.Next = right;
        InsertSibling(leaf, right);
        return right;
    }

    /// <summary>Puts <paramref name="right"/> after <paramref name="node"/> in its parent (a new root when there is none).</summary>
    /// <remarks>The items of <paramref name="right"/> were counted in <paramref name="node"/> before it was split, so the sums above stay right.</remarks>
    private void InsertSibling(Node node, Node right)
    {
        var parent = node.Parent;
        if (parent is null)
        {
            var root = new Inner { Count = 2 };
            root.Children[0] = node;
            root.Children[1] = right;
            node.Parent = root;
            right.Parent = root;
            Recount(root);
            _root = root;
            return;
        }
        var index = Array.IndexOf(parent.Children, node, 0, parent.Count);
        if (parent.Count < Fanout)
        {
            PutChild(parent, index + 1, right);
            return;
        }
        const int half = Fanout / 2;
        var other = new Inner { Count = Fanout - half };
        Array.Copy(parent.Children, half, other.Children, 0, Fanout - half);
        Array.Clear(parent.Children, half, Fanout - half);
        parent.Count = half;
        for (var i = 0; i < other.Count; i++)
        {
            other.Children[i].Parent = other;
        }
        if (index >= half)
        {
            PutChild(other, index - half + 1, right);
        }
        else
        {
            PutChild(parent, index + 1, right);
        }
        // Both halves are recounted with 'right' in place before the level above may split and recount them.
        Recount(parent);
        Recount(other);
        InsertSibling(parent, other);
    }

    private static void PutChild(Inner parent, int index, Node child)
    {
        Array.Copy(parent.Children, index, parent.Children, index + 1, parent.Count - index);
        parent.Children[index] = child;
        parent.Count++;
        child.Parent = parent;
    }

    // ---------------------------------------------------------------- walking

    /// <summary>The cursor at the first item, or the end.</summary>
    public Cursor Start()
    {
        var leaf = First;
        while (leaf is not null && leaf.Count == 0)
        {
            leaf = leaf.Next;
        }
        return new Cursor { Leaf = leaf };
    }

    /// <summary>The cursor at the start of the run after (leaf, span), or the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Cursor NextSpan(Leaf leaf, int span)
    {
        if (span + 1 < leaf.Count)
        {
            return new Cursor { Leaf = leaf, Span = span + 1 };
        }
        var next = leaf.Next;
        while (next is not null && next.Count == 0)
        {
            next = next.Next;
        }
        return new Cursor { Leaf = next };
    }

    /// <summary>The item after the one at (leaf, span, offset).</summary>
    public static Cursor After(Leaf leaf, int span, int offset)
        => offset + 1 < leaf.Spans[span].Length ? new Cursor { Leaf = leaf, Span = span, Offset = offset + 1 } : NextSpan(leaf, span);

    /// <summary>The rightmost leaf (possibly empty).</summary>
    public Leaf LastLeaf()
    {
        var node = _root;
        while (node is Inner inner)
        {
            node = inner.Children[inner.Count - 1];
        }
        return (Leaf)node;
    }

    /// <summary>Finds the visible item with visible index <paramref name="index"/> (0 &lt;= index &lt; Live).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Cursor FindLive(int index)
    {
        var node = _root;
        while (node is Inner inner)
        {
            var i = 0;
            for (; i < inner.Count - 1; i++)
            {
                var child = inner.Children[i];
                if (index < child.Live)
                {
                    break;
                }
                index -= child.Live;
            }
            node = inner.Children[i];
        }
        var leaf = (Leaf)node;
        for (var s = 0; s < leaf.Count; s++)
        {
            ref readonly var span = ref leaf.Spans[s];
            if (span.Deleted)
            {
                continue;
            }
            if (index < span.Length)
            {
                return new Cursor { Leaf = leaf, Span = s, Offset = index };
            }
            index -= span.Length;
        }
        throw new UnreachableException("visible counts disagree with the spans");
    }

    /// <summary>
    /// The position of the item at a cursor among the visible items (a deleted one: the number of visible items before
    /// it), or among all items; the end is at <see cref="Live"/> or <see cref="Total"/>.
    /// </summary>
    public int Position(in Cursor cursor, bool visible)
    {
        if (cursor.AtEnd)
        {
            return visible ? _root.Live : _root.Total;
        }
        var leaf = cursor.Leaf!;
        var position = visible && leaf.Spans[cursor.Span].Deleted ? 0 : cursor.Offset;
        for (var s = 0; s < cursor.Span; s++)
        {
            ref readonly var span = ref leaf.Spans[s];
            if (!visible || !span.Deleted)
            {
                position += span.Length;
            }
        }
        Node node = leaf;
        while (node.Parent is { } parent)
        {
            for (var i = 0; i < parent.Count; i++)
            {
                var child = parent.Children[i];
                if (ReferenceEquals(child, node))
                {
                    break;
                }
                position += visible ? child.Live : child.Total;
            }
            node = parent;
        }
        return position;
    }

    // ---------------------------------------------------------------- loading and copying

    /// <summary>Lays runs (document order) into an empty tree, <see cref="LoadedLeafFill"/> per leaf, and builds the levels above.</summary>
    public void Load(ReadOnlySpan<Span> runs)
    {
        Debug.Assert(_leaves.Count == 1 && First.Count == 0, "only an empty tree is loaded");
        var level = new List<Node>();
        var leaf = First;
        leaf.Spans = new Span[Math.Clamp(runs.Length, 4, LeafCapacity)];
        foreach (var run in runs)
        {
            if (leaf.Count == LoadedLeafFill)
            {
                var next = NewLeaf();
                next.Spans = new Span[LeafCapacity];
                leaf.Next = next;
                next.Previous = leaf;
                Recount(leaf);
                level.Add(leaf);
                leaf = next;
            }
            leaf.Spans[leaf.Count++] = run;
        }
        Recount(leaf);
        level.Add(leaf);
        while (level.Count > 1)
        {
            var above = new List<Node>((level.Count / LoadedLeafFill) + 1);
            for (var i = 0; i < level.Count; i += LoadedLeafFill)
            {
                var inner = new Inner { Count = Math.Min(LoadedLeafFill, level.Count - i) };
                for (var c = 0; c < inner.Count; c++)
                {
                    inner.Children[c] = level[i + c];
                    level[i + c].Parent = inner;
                }
                Recount(inner);
                above.Add(inner);
            }
            level = above;
        }
        _root = level[0];
    }

    /// <summary>A deep copy, with the same leaf numbers.</summary>
    public RunTree Clone()
    {
        var copy = new RunTree();
        copy._leaves.Clear();
        var leaves = new Leaf[_leaves.Count];
        foreach (var leaf in _leaves)
        {
            var twin = new Leaf { Number = leaf.Number, Count = leaf.Count, Live = leaf.Live, Total = leaf.Total };
            twin.Spans = leaf.Spans.AsSpan(0, leaf.Count).ToArray();
            leaves[leaf.Number] = twin;
            copy._leaves.Add(twin);
        }
        foreach (var leaf in _leaves)
        {
            leaves[leaf.Number].Next = leaf.Next is null ? null : leaves[leaf.Next.Number];
            leaves[leaf.Number].Previous = leaf.Previous is null ? null : leaves[leaf.Previous.Number];
        }
        copy.First = leaves[First.Number];
        copy._root = CloneNode(_root, null, leaves);
        return copy;
    }

    private static Node CloneNode(Node node, Inner? parent, Leaf[] leaves)
    {
        if (node is Leaf leaf)
        {
            var twin = leaves[leaf.Number];
            twin.Parent = parent;
            return twin;
        }
        var inner = (Inner)node;
        var copy = new Inner { Parent = parent, Count = inner.Count, Live = inner.Live, Total = inner.Total };
        for (var i = 0; i < inner.Count; i++)
        {
            copy.Children[i] = CloneNode(inner.Children[i], copy, leaves);
        }
        return copy;
    }

    // ---------------------------------------------------------------- invariants

    /// <summary>
    /// Checks the tree's invariants: every node's counts are its children's (a leaf's, its runs') sums, fan-out and
    /// leaf capacity hold, parents and children name each other, every leaf is at one depth, the leaf chain follows
    /// the tree's order, and every numbered leaf is in the tree. Throws <see cref="InvalidOperationException"/> naming
    /// the first one broken.
    /// </summary>
    /// <remarks>Linear in the runs: for tests and fuzzers, never on a hot path.</remarks>
    internal void CheckInvariants()
    {
        if (_root.Parent is not null)
        {
            throw Broken("the root has no parent");
        }
        var inOrder = new List<Leaf>();
        var leafDepth = -1;
        CheckNode(_root, 0);
        if (!ReferenceEquals(First, inOrder[0]))
        {
            throw Broken("the first leaf of the chain is the tree's first leaf");
        }
        for (var i = 0; i < inOrder.Count; i++)
        {
            var leaf = inOrder[i];
            if (!ReferenceEquals(leaf.Next, i + 1 < inOrder.Count ? inOrder[i + 1] : null) || !ReferenceEquals(leaf.Previous, i > 0 ? inOrder[i - 1] : null))
            {
                throw Broken($"the leaf chain follows the tree's order (at leaf {leaf.Number}, position {i})");
            }
        }
        if (inOrder.Count != _leaves.Count)
        {
            throw Broken($"every numbered leaf is in the tree: {_leaves.Count} numbered, {inOrder.Count} in the tree");
        }
        for (var n = 0; n < _leaves.Count; n++)
        {
            if (_leaves[n].Number != n)
            {
                throw Broken($"leaf {n} of the table carries its number, not {_leaves[n].Number}");
            }
        }

        void CheckNode(Node node, int depth)
        {
            if (node is Leaf leaf)
            {
                if (leafDepth < 0)
                {
                    leafDepth = depth;
                }
                if (depth != leafDepth)
                {
                    throw Broken($"every leaf is at the same depth: leaf {leaf.Number} at {depth}, the first at {leafDepth}");
                }
                if (leaf.Count < 0 || leaf.Count > LeafCapacity || leaf.Count > leaf.Spans.Length)
                {
                    throw Broken($"a leaf holds 0 to {LeafCapacity} runs within its array: leaf {leaf.Number} says {leaf.Count} in {leaf.Spans.Length}");
                }
                int live = 0, total = 0;
                for (var s = 0; s < leaf.Count; s++)
                {
                    total += leaf.Spans[s].Length;
                    live += leaf.Spans[s].Deleted ? 0 : leaf.Spans[s].Length;
                }
                if (leaf.Live != live || leaf.Total != total)
                {
                    throw Broken($"a leaf's counts are its runs' sums: leaf {leaf.Number} says {leaf.Live} visible of {leaf.Total}, its runs {live} of {total}");
                }
                if (_leaves.Count <= leaf.Number || !ReferenceEquals(_leaves[leaf.Number], leaf))
                {
                    throw Broken($"leaf {leaf.Number} of the tree is at its number in the leaf table");
                }
                inOrder.Add(leaf);
                return;
            }
            var inner = (Inner)node;
            var least = inner.Parent is null ? 2 : 1;
            if (inner.Count < least || inner.Count > Fanout)
            {
                throw Broken($"an inner node has {least} to {Fanout} children, one at depth {depth} has {inner.Count}");
            }
            int sumLive = 0, sumTotal = 0;
            for (var i = 0; i < Fanout; i++)
            {
                var child = inner.Children[i];
                if (i >= inner.Count)
                {
                    if (child is not null)
                    {
                        throw Broken($"an inner node holds no child past its count (depth {depth}, slot {i})");
                    }
                    continue;
                }
                if (!ReferenceEquals(child.Parent, inner))
                {
                    throw Broken($"every child names its parent (depth {depth + 1}, slot {i})");
                }
                CheckNode(child, depth + 1);
                sumLive += child.Live;
                sumTotal += child.Total;
            }
            if (inner.Live != sumLive || inner.Total != sumTotal)
            {
                throw Broken($"an inner node's counts are its children's sums: at depth {depth} {inner.Live} visible of {inner.Total}, the children {sumLive} of {sumTotal}");
            }
        }
    }

    private static InvalidOperationException Broken(string invariant) => new("Run tree invariant broken: " + invariant + ".");
}
