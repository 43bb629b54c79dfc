using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt;
using Jarvis.Replication.Engine;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication;

/// <summary>
/// One replica of a keyspace of CRDT objects, as a sans-I/O state machine: its inputs are local writes,
/// received messages, timer ticks and storage completions; its outputs (<see cref="TakeOutputs"/>) are
/// messages to send, storage requests and notifications. It never touches a socket, a thread or a disk,
/// and reads the wall clock only through the <see cref="HybridLogicalClock"/> it is given (over a
/// <see cref="TimeProvider"/>), so the same core runs inside a node and inside the deterministic simulator.
/// </summary>
/// <remarks>
/// <para>Replication is delta-interval anti-entropy with acknowledgements (Almeida, Shoker, Baquero,
/// <i>Delta State Replicated Data Types</i>, 2018, Algorithm 2) with the two fixes of Enes et al.,
/// <i>Efficient Synchronization of State-based CRDTs</i>, ICDE 2019: a delta is never sent back to the
/// replica it came from, and a received delta that changes nothing is neither logged nor forwarded.
/// The delta buffer is bounded; a peer that falls behind it gets a state transfer instead.</para>
/// <para>Durability: with <see cref="ReplicaOptions.Durable"/>, a write is acknowledged at
/// <see cref="Consistency.Local"/>, and anything is shipped or acknowledged to a peer, only once the
/// driver reports it persisted — so a crash can never make this replica reuse a dot that a peer has
/// seen.</para>
/// <para>Not thread-safe: one driver feeds it from one thread (or under one lock).</para>
/// </remarks>
public sealed partial class ReplicaCore
{
    /// <summary>Keys with this prefix belong to the replica itself; applications cannot write them.</summary>
    public const string ReservedPrefix = "$jarvis/";

    private readonly ReplicaOptions _options;
    private readonly CrdtTypeRegistry _types;
    private readonly Random _random;
    private readonly Dictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly List<ReplicaOutput> _outputs = [];
    private readonly PeerTable _peers = new();
    private readonly AntiEntropy.MerkleIndex _merkle = new();
    private readonly HashSet<string> _merkleDirty = new(StringComparer.Ordinal);
    // Method groups made delegates once, so trimming the buffer, completing reads and checkpointing allocate none per call.
    private readonly Func<PeerState, bool> _inView;
    private readonly Func<string, bool> _isDurable;
    private readonly Func<string, ObjectCheckpoint> _checkpointOf;
    private readonly Action<ReplicaId, long, string> _askForRead;
    private readonly Action<ReplicaId, long, string> _answerRead;
    // With _peers and _buffer, the collaborators that hold the engine's state (Engine/; docs/replication.md, "Inside the core").
    private readonly DurabilityLog _log;
    private readonly PendingWrites _writes;
    private readonly PendingReads _reads;
    private readonly DeferredReadAnswers _deferredAnswers = new();
    private long _now;
    private bool _restored;

    /// <summary>Creates a replica.</summary>
    /// <param name="id">This replica's identity (the author of its dots).</param>
    /// <param name="types">The CRDT types this replica can decode by name.</param>
    /// <param name="options">Tuning; the defaults suit a node.</param>
    /// <param name="random">The source of gossip choices; seed it for determinism in simulations.</param>
    /// <param name="clock">
    /// The replica's hybrid logical clock (its wall time and drift bound): heartbeats carry its wall time, peers
    /// and received timestamps too far ahead of it are refused, and accepted timestamps advance it. Pass the one
    /// the application stamps its last-writer-wins writes with. Without it the replica checks no clock.
    /// </param>
    public ReplicaCore(ReplicaId id, CrdtTypeRegistry types, ReplicaOptions? options = null, Random? random = null, HybridLogicalClock? clock = null)
    {
        if (id.IsNone)
        {
            throw new ArgumentException("A replica needs an identity.", nameof(id));
        }
        ArgumentNullException.ThrowIfNull(types);
        Id = id;
        _types = types;
        _options = options ?? new ReplicaOptions();
        _random = random ?? new Random();
        _clocks = new Clocks.ClockWatch(clock);
        _inView = InView;
        _log = new DurabilityLog(_options.Durable, _options.CheckpointEveryRecords, Emit);
        _isDurable = _log.IsDurable;
        _checkpointOf = CheckpointOf;
        _askForRead = AskForRead;
        _answerRead = AnswerRead;
        _writes = new PendingWrites(Emit);
        _reads = new PendingReads(Emit);
    }

    /// <summary>This replica's identity.</summary>
    public ReplicaId Id { get; }

    /// <summary>The peers this replica replicates with.</summary>
    public IReadOnlyCollection<ReplicaId> Peers => _peers.Ids;

    /// <summary>The keys present, in no particular order.</summary>
    public IEnumerable<string> Keys => _objects.Keys;

    /// <summary>The number of keys.</summary>
    public int Count => _objects.Count;

    /// <summary>The highest log sequence applied (local writes and received changes alike).</summary>
    public long LastSequence => _log.LastApplied;

    /// <summary>The highest log sequence known durable.</summary>
    public long DurableSequence => _log.Durable;

    /// <summary>Deltas held for peers that have not acknowledged them.</summary>
    public int DeltaBufferCount => _buffer.Count;

    /// <summary>Bytes of deltas held for peers that have not acknowledged them.</summary>
    public long DeltaBufferBytes => _buffer.Bytes;

    /// <summary>
    /// A digest of every object's key and canonical state (the root of the Merkle index: the XOR of the
    /// entries' hashes). Replicas holding equal states have equal digests; zero when empty.
    /// </summary>
    public UInt128 StateDigest
    {
        get
        {
            RefreshMerkle();
            return _merkle.RootDigest;
        }
    }

    /// <summary>
    /// How far a peer has acknowledged this replica's log: every change below this sequence is held there (it
    /// acknowledged it once durable, directly or by a state transfer covering it, or the change came from
    /// an origin that delivers it itself); 1 when it has acknowledged nothing, null when it is not a peer.
    /// <see cref="LastSequence"/> + 1 minus this is the number of changes the peer may still lack.
    /// </summary>
    public long? AcknowledgedBy(ReplicaId peer) => _peers.TryGet(peer, out var state) ? state.Acked : null;

    /// <summary>Outputs not yet taken.</summary>
    public int PendingOutputs => _outputs.Count;

    /// <summary>
    /// Loads what a durable store recovered. Call once, before any other input; a replica started without
    /// history skips it. Objects are rebuilt from checkpoints and the log; every peer is then offered a
    /// state transfer, because the delta history sent before the restart is gone.
    /// </summary>
    /// <exception cref="InvalidOperationException">The replica already has state or inputs.</exception>
    /// <exception cref="KeyNotFoundException">A stored type name is not registered.</exception>
    public void Restore(RecoveredState recovered)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        if (_restored || _log.LastApplied != 0 || _objects.Count != 0)
        {
            throw new InvalidOperationException("Restore must be the first input of a replica.");
        }
        _restored = true;
        foreach (var checkpoint in recovered.Checkpoints)
        {
            if (checkpoint.Key == RetiredKey)
            {
                RestoreRetired(checkpoint);
                continue;
            }
            var handler = _types.Get(checkpoint.Type);
            _objects[checkpoint.Key] = new StoredObject(handler, handler.Decode(checkpoint.State));
        }
        foreach (var record in recovered.Log)
        {
            var handler = _types.Get(record.Type);
            ref var stored = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_objects, record.Key, out var exists);
            if (!exists)
            {
                stored = new StoredObject(handler, handler.CreateEmpty());
            }
            else if (!ReferenceEquals(stored!.Handler, handler))
            {
                throw new InvalidOperationException($"Log record {record.Sequence} holds key '{record.Key}' as {record.Type}, but it is {stored.Handler.Name}.");
            }
            handler.Join(stored!.State, handler.Decode(record.Delta));
        }
        _log.Restore(recovered.LastSequence, recovered.Log);
        _merkleDirty.UnionWith(_objects.Keys);
        // Session and transfer ids of the previous run may still be alive at peers: start elsewhere.
        _nextTransferId = _random.NextInt64(1L << 32, 1L << 52);
        _peers.RequireStateFromAll();
    }

    /// <summary>Adds a peer to replicate with (a member Up at incarnation 0 until it says otherwise). A new peer starts with a state transfer.</summary>
    public void AddPeer(ReplicaId peer)
    {
        if (peer == Id || peer.IsNone || _peers.Contains(peer) || HasDeparted(peer))
        {
            return;
        }
        AddPeerCore(peer);
        EnsureMember(peer);
    }

    private void AddPeerCore(ReplicaId peer)
        => _peers.Add(peer, needsState: _log.LastApplied > 0);

    /// <summary>Stops replicating with a peer; deltas held only for it are released.</summary>
    public void RemovePeer(ReplicaId peer)
    {
        if (_peers.Remove(peer))
        {
            _deferredAnswers.Forget(peer);
            TrimBuffer();
            CompleteWaiting();
        }
    }

    /// <summary>The state of a key, if present (a live view: change it only through writes).</summary>
    public bool TryGetState(string key, [NotNullWhen(true)] out object? state, [NotNullWhen(true)] out CrdtTypeHandler? type)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_objects.TryGetValue(key, out var stored))
        {
            state = stored.State;
            type = stored.Handler;
            return true;
        }
        state = null;
        type = null;
        return false;
    }

    /// <summary>The state of a key as its type, or null if absent.</summary>
    /// <exception cref="KeyTypeMismatchException">The key holds another type.</exception>
    public T? Get<T>(string key) where T : class, ICrdt<T>
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_objects.TryGetValue(key, out var stored))
        {
            return null;
        }
        return stored.State as T ?? throw new KeyTypeMismatchException(key, stored.Handler.Name, CrdtTypeRegistry.NameOf(typeof(T)));
    }

    /// <summary>A typed handle on a key: its current value and its writes.</summary>
    public ObjectHandle<T> Handle<T>(string key) where T : class, ICrdt<T>
    {
        ArgumentNullException.ThrowIfNull(key);
        _types.Register<T>();
        return new ObjectHandle<T>(this, key);
    }

    /// <summary>Moves time forward: runs a sync round when one is due, retransmits, times out waiting writes and reads.</summary>
    public void Tick(long nowMs)
    {
        _now = Math.Max(_now, nowMs);
        ExpireWaiting();
        if (_removed)
        {
            // Removed from the cluster: nothing more to send (waiting writes and reads still time out).
            return;
        }
        MembershipRound();
        _reads.AskAgain(_now, _options.RetransmitAfterMs, _peers.Ids, _askForRead);
        if (_now - _lastSyncAt >= _options.SyncIntervalMs)
        {
            _lastSyncAt = _now;
            SyncRound();
        }
    }

    /// <summary>Takes every output produced so far, in order.</summary>
    public IReadOnlyList<ReplicaOutput> TakeOutputs()
    {
        if (_outputs.Count == 0)
        {
            return [];
        }
        var taken = _outputs.ToArray();
        _outputs.Clear();
        return taken;
    }

    private void Emit(ReplicaOutput output) => _outputs.Add(output);

    private sealed class StoredObject(CrdtTypeHandler handler, object state)
    {
        public CrdtTypeHandler Handler { get; } = handler;

        public object State { get; } = state;
    }
}
