namespace Jarvis.Replication.AntiEntropy;

/// <summary>
/// One side of a comparison of two replicas' <see cref="MerkleIndex"/>es: a sans-I/O state machine that
/// turns received messages into replies and ends knowing which of its keys the peer needs
/// (<see cref="Result"/>). No I/O, threads or clocks: the caller carries the messages, in order, and
/// bounds how long it waits and how many messages it accepts.
/// </summary>
/// <remarks>
/// <para>
/// <b>Flow.</b> The initiator sends its root digest (<see cref="Start"/>). From then on the sides take
/// turns, each message answering the previous one: for every node it finds to differ, a side sends either
/// its digests of the node's children, or, when it holds few keys below the node (at most two thirds of
/// the fan-out) or the node is at the deepest level, its (key hash, entry hash) list of them. The receiver
/// of child digests compares them with its own and answers the differing children the same way; the
/// receiver of a key list compares it with its own keys there, keeps its own keys that differ, and
/// requests the sender's. Only differing subtrees are entered and each message carries one level, so k
/// differing keys among N cost O(k · fan-out · log N) bytes in about log_fanout(N) messages; equal
/// replicas finish in one round trip.
/// </para>
/// <para>
/// <b>Ending.</b> A message is final when its sender has nothing left queued. A side that receives a final
/// message, has nothing queued, and owes nothing (the message held only requests) is done and returns no
/// reply; if it does owe an answer it replies with an empty final message and is done. A side that
/// answers a final message with a final message of requests only is done as it sends it.
/// </para>
/// <para>
/// <b>Budget.</b> No message is larger than the budget given to the constructor; what does not fit waits
/// for the next turn (a non-final message makes the peer answer, if only with an empty message).
/// </para>
/// <para>
/// <b>Changes during a comparison.</b> The index is read as each message is handled; if it changes in
/// between, the result may miss or add keys that changed meanwhile, and the next comparison repairs that.
/// Nothing fails because of it.
/// </para>
/// <para>Not thread-safe: one caller drives one side. The messages produced are deterministic: the same
/// index contents and the same received messages give the same bytes.</para>
/// </remarks>
internal sealed class MerkleComparison
{
    /// <summary>The default bound on one message's encoded size: 64 KiB.</summary>
    public const int DefaultMaxMessageBytes = 64 * 1024;

    /// <summary>The smallest budget accepted: room for one item of 64 child digests with headroom.</summary>
    public const int MinMaxMessageBytes = 4 * 1024;

    private readonly MerkleIndex _index;
    private readonly MerkleShape _shape;
    private readonly MerkleOutbox _outbox;

    // Nodes whose child digests this side sent: the peer may answer their children.
    private readonly HashSet<MerkleNodePath> _offeredParents = [];

    // Nodes whose keys this side listed: the peer may request keys below them.
    private readonly HashSet<MerkleNodePath> _listedNodes = [];
    private uint _listedLevels;

    // Nodes the peer has answered, so that none is answered twice.
    private readonly HashSet<MerkleNodePath> _answeredByPeer = [];
    private readonly Dictionary<MerkleNodePath, List<MerkleEntryDigest>> _partialLists = [];

    private readonly HashSet<string> _keysToSend = new(StringComparer.Ordinal);
    private readonly HashSet<ulong> _requested = [];
    private readonly List<(MerkleEntryDigest Digest, string Key)> _scratchEntries = [];
    private readonly UInt128[] _scratchDigests;

    private Phase _phase;
    private bool _offeredRoot;
    private MerkleComparisonResult? _result;

    /// <summary>Creates one side of a comparison over an index.</summary>
    /// <param name="index">This replica's index, read as messages are handled.</param>
    /// <param name="maxMessageBytes">The bound on each message this side sends, at least <see cref="MinMaxMessageBytes"/>.</param>
    public MerkleComparison(MerkleIndex index, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, MinMaxMessageBytes);
        _index = index;
        _shape = index.Shape;
        _outbox = new MerkleOutbox(_shape, maxMessageBytes);
        _scratchDigests = new UInt128[_shape.FanOut];
    }

    private enum Phase
    {
        New,
        Running,
        Complete,
        Failed,
    }

    /// <summary>Whether this side is done: it expects no more messages and <see cref="Result"/> is ready.</summary>
    public bool IsComplete => _phase == Phase.Complete;

    /// <summary>Messages this side has produced.</summary>
    public int MessagesSent { get; private set; }

    /// <summary>Messages this side has handled.</summary>
    public int MessagesReceived { get; private set; }

    /// <summary>What this side learned.</summary>
    /// <exception cref="InvalidOperationException">The comparison is not complete.</exception>
    public MerkleComparisonResult Result
        => _result ?? throw new InvalidOperationException("The comparison is not complete.");

    /// <summary>Opens the comparison as the initiator; the peer's side is created fresh and receives this.</summary>
    /// <exception cref="InvalidOperationException">This side has already started or received a message.</exception>
    public MerkleStartMessage Start()
    {
        if (_phase != Phase.New)
        {
            throw new InvalidOperationException("Start() opens a comparison and is called once, before any message is received.");
        }
        _phase = Phase.Running;
        _offeredRoot = true;
        MessagesSent++;
        return new MerkleStartMessage(_shape, _index.RootDigest);
    }

    /// <summary>Handles the peer's next message.</summary>
    /// <returns>The message to send back, or null when the comparison ends without one.</returns>
    /// <exception cref="MerkleProtocolException">The message breaks the protocol; the comparison is dead.</exception>
    /// <exception cref="InvalidOperationException">The comparison is already complete or dead.</exception>
    public MerkleMessage? Receive(MerkleMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_phase is Phase.Complete or Phase.Failed)
        {
            throw new InvalidOperationException($"The comparison is {(_phase == Phase.Complete ? "complete" : "dead after a protocol error")}; start a new one.");
        }
        try
        {
            Handle(message);
        }
        catch (MerkleProtocolException)
        {
            _phase = Phase.Failed;
            throw;
        }
        MessagesReceived++;

        var peerFinal = message is MerkleStartMessage || ((MerkleExchangeMessage)message).Final;
        if (peerFinal && _outbox.IsEmpty)
        {
            Complete();
            if (!message.RequiresReply)
            {
                return null;
            }
            MessagesSent++;
            return new MerkleExchangeMessage(_shape, final: true, [], [], []);
        }
        var reply = _outbox.Pack();
        MessagesSent++;
        if (peerFinal && reply.Final && !reply.RequiresReply)
        {
            Complete();
        }
        return reply;
    }

    private void Handle(MerkleMessage message)
    {
        if (!message.Shape.Equals(_shape))
        {
            throw new MerkleProtocolException($"The peer's tree has fan-out {message.FanOut}, this side's {_shape.FanOut}.");
        }
        switch (message)
        {
            case MerkleStartMessage start:
                if (_phase != Phase.New)
                {
                    throw new MerkleProtocolException("A start message arrived in the middle of a comparison (did both sides start?).");
                }
                _phase = Phase.Running;
                if (start.RootDigest != _index.RootDigest)
                {
                    Answer(MerkleNodePath.Root);
                }
                break;
            case MerkleExchangeMessage exchange:
                if (_phase == Phase.New)
                {
                    throw new MerkleProtocolException("The first message of a comparison must be a start message.");
                }
                foreach (var item in exchange.Children)
                {
                    HandleChildren(item);
                }
                foreach (var item in exchange.Entries)
                {
                    HandleEntries(item);
                }
                foreach (var keyHash in exchange.Requests)
                {
                    HandleRequest(keyHash);
                }
                if (exchange.Final && _partialLists.Count > 0)
                {
                    throw new MerkleProtocolException($"The peer ended its turn with the key list of node {_partialLists.Keys.First()} unfinished.");
                }
                break;
        }
    }

    /// <summary>The peer sent its child digests of a node it found to differ: answer each child that differs here too.</summary>
    private void HandleChildren(MerkleChildDigests item)
    {
        var parent = item.Parent;
        RequireOffered(parent);
        if (_partialLists.ContainsKey(parent) || !_answeredByPeer.Add(parent))
        {
            throw new MerkleProtocolException($"The peer answered node {parent} twice.");
        }
        var mine = _scratchDigests;
        _index.ChildDigests(parent, mine);
        for (var i = 0; i < mine.Length; i++)
        {
            if (mine[i] != item.Digests[i])
            {
                Answer(_shape.Child(parent, i));
            }
        }
    }

    /// <summary>The peer listed its keys below a node: keep this side's keys that differ, request the peer's.</summary>
    private void HandleEntries(MerkleEntryList item)
    {
        var node = item.Node;
        RequireOffered(node);
        if (_answeredByPeer.Contains(node))
        {
            throw new MerkleProtocolException($"The peer answered node {node} twice.");
        }
        IReadOnlyList<MerkleEntryDigest> theirs = item.Entries;
        if (_partialLists.Remove(node, out var earlier) || item.Continued)
        {
            earlier ??= [];
            earlier.AddRange(item.Entries);
            if (item.Continued)
            {
                _partialLists[node] = earlier;
                CheckListLength(node, earlier.Count);
                return;
            }
            earlier.Sort();
            theirs = earlier;
        }
        CheckListLength(node, theirs.Count);
        _answeredByPeer.Add(node);

        var mine = _scratchEntries;
        mine.Clear();
        _index.CollectEntryDigests(node, mine);
        int i = 0, j = 0;
        while (i < mine.Count && j < theirs.Count)
        {
            var order = mine[i].Digest.CompareTo(theirs[j]);
            if (order == 0)
            {
                i++;
                j++;
            }
            else if (order < 0)
            {
                _keysToSend.Add(mine[i++].Key);
            }
            else
            {
                Request(theirs[j++].KeyHash);
            }
        }
        for (; i < mine.Count; i++)
        {
            _keysToSend.Add(mine[i].Key);
        }
        for (; j < theirs.Count; j++)
        {
            Request(theirs[j].KeyHash);
        }
        mine.Clear();
    }

    private void HandleRequest(ulong keyHash)
    {
        var listed = false;
        for (var levels = _listedLevels; levels != 0 && !listed; levels &= levels - 1)
        {
            var level = System.Numerics.BitOperations.TrailingZeroCount(levels);
            listed = _listedNodes.Contains(new MerkleNodePath(level, _shape.PrefixOf(keyHash, level)));
        }
        if (!listed)
        {
            throw new MerkleProtocolException($"The peer requested key hash {keyHash:x16}, which is below no node this side listed.");
        }
        _index.CollectKeys(keyHash, _keysToSend);
    }

    /// <summary>This side found a node to differ: send its child digests, or its keys if it holds few below it.</summary>
    private void Answer(MerkleNodePath node)
    {
        if (node.Level == _shape.MaxLevel || _index.NodeCount(node) <= _shape.LeafThreshold)
        {
            var entries = _scratchEntries;
            entries.Clear();
            _index.CollectEntryDigests(node, entries);
            var digests = new MerkleEntryDigest[entries.Count];
            for (var i = 0; i < digests.Length; i++)
            {
                digests[i] = entries[i].Digest;
            }
            entries.Clear();
            _outbox.AddEntries(node, digests);
            _listedNodes.Add(node);
            _listedLevels |= 1u << node.Level;
        }
        else
        {
            var digests = new UInt128[_shape.FanOut];
            _index.ChildDigests(node, digests);
            _outbox.AddChildren(new MerkleChildDigests(node, digests));
            _offeredParents.Add(node);
        }
    }

    private void Request(ulong keyHash)
    {
        if (_requested.Add(keyHash))
        {
            _outbox.AddRequest(keyHash);
        }
    }

    /// <summary>The peer may answer the root after this side's start, and the children of nodes whose child digests this side sent.</summary>
    private void RequireOffered(MerkleNodePath node)
    {
        var offered = node.Level == 0 ? _offeredRoot : _offeredParents.Contains(_shape.Parent(node));
        if (!offered)
        {
            throw new MerkleProtocolException($"The peer answered node {node}, which this side never offered.");
        }
    }

    /// <summary>An honest side lists a node's keys only when it holds few below it, except at the deepest level.</summary>
    private void CheckListLength(MerkleNodePath node, int count)
    {
        if (node.Level < _shape.MaxLevel && count > _shape.LeafThreshold)
        {
            throw new MerkleProtocolException($"The peer listed {count} keys below node {node}; above the deepest level a list holds at most {_shape.LeafThreshold}.");
        }
    }

    private void Complete()
    {
        var keys = _keysToSend.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var requested = _requested.ToArray();
        Array.Sort(requested);
        _result = new MerkleComparisonResult(keys, requested);
        _phase = Phase.Complete;
    }
}
