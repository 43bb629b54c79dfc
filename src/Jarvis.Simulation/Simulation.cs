using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Storage;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

/// <summary>
/// A deterministic simulation of a cluster of <see cref="ReplicaCore"/>s in one process: one seeded
/// <see cref="Random"/>, virtual time in milliseconds, and an event queue ordered by time and then by
/// insertion, so a seed always yields the same history. Messages travel as bytes through the message codec
/// over a network that delays, drops, duplicates and reorders them and can be partitioned (symmetrically
/// or in one direction only); each replica has a disk whose requests complete in order after a random
/// latency, can fail while the disk is full, and are lost when the replica crashes; a restarted replica is
/// rebuilt from its disk alone. Writes and reads issued through the simulation are recorded, and the
/// checkers compare every replica against that record (see <see cref="CheckConverged"/>).
/// </summary>
/// <remarks>
/// Not thread-safe; separate simulations share nothing and may run in parallel. A violation is thrown as
/// a <see cref="SimulationFailureException"/> naming the seed and the latest events.
/// </remarks>
public sealed partial class Simulation
{
    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly SimulatedReplica[] _replicas;
    private readonly PriorityQueue<SimEvent, (long Time, long Order)> _queue = new();
    private readonly EventTrace _trace;
    private readonly WriteLedger _ledger = new();
    private readonly Dictionary<ReplicaId, SimulatedReplica> _byIdentity = [];
    private ulong _nextIdentity;
    private long _order;
    private long _now;

    /// <summary>Creates a cluster of <see cref="SimulationOptions.Replicas"/> empty replicas, every one a peer of every other.</summary>
    public Simulation(SimulationOptions options)
        : this(options ?? throw new ArgumentNullException(nameof(options)), new Random(options.Seed))
    {
    }

    /// <summary>A simulation drawing from a random source that has already chosen the cluster's shape (one source per run).</summary>
    internal Simulation(SimulationOptions options, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Replicas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TickIntervalMs, 1);
        _options = options;
        _random = random;
        _trace = new EventTrace(options.TraceLength, options.VerboseTrace);
        _minDelay = options.MinDelayMs;
        _maxDelay = Math.Max(options.MinDelayMs, options.MaxDelayMs);
        var n = options.Replicas;
        _blocked = new bool[n * n];
        _inFlight = new int[n * n];
        _replicas = new SimulatedReplica[n];
        for (var i = 0; i < n; i++)
        {
            _replicas[i] = new SimulatedReplica(i, new ReplicaId((ulong)(i + 1)));
            _byIdentity[_replicas[i].Id] = _replicas[i];
            // Every disk starts with its identity recorded, as a node's store does on creation.
            _replicas[i].Disk.SetMetadata(ReplicaIdentity.MetadataName, new ReplicaIdentity(_replicas[i].Id, Spent: false).Encode());
        }
        // Identities minted after a disk loss follow the first ones.
        _nextIdentity = (ulong)n + 1;
        for (var i = 0; i < n; i++)
        {
            Start(_replicas[i], restore: false);
        }
    }

    /// <summary>The seed of this run.</summary>
    public int Seed => _options.Seed;

    /// <summary>The options the cluster was built with.</summary>
    public SimulationOptions Options => _options;

    /// <summary>Virtual time in milliseconds.</summary>
    public long Now => _now;

    /// <summary>The number of replicas.</summary>
    public int ReplicaCount => _replicas.Length;

    /// <summary>Events processed so far.</summary>
    public long EventCount => _trace.Count;

    /// <summary>A hash of the whole event sequence so far: equal for two runs of one seed.</summary>
    public ulong EventSequenceHash => _trace.SequenceHash;

    /// <summary>The simulation's random source, for scripts that want choices replayable with the seed.</summary>
    public Random Random => _random;

    /// <summary>The identity replica <paramref name="index"/> writes under now: index + 1, until its disk is lost.</summary>
    public ReplicaId IdOf(int index) => _replicas[index].Id;

    /// <summary>Whether replica <paramref name="index"/> is up.</summary>
    public bool IsUp(int index) => _replicas[index].IsUp;

    /// <summary>The core of replica <paramref name="index"/>'s current incarnation (null while it is down). Drive it only through the simulation.</summary>
    public ReplicaCore? Replica(int index) => _replicas[index].Core;

    /// <summary>Runs <paramref name="action"/> at virtual time <paramref name="at"/> (after the events already scheduled for that time).</summary>
    /// <param name="at">The virtual time; not before <see cref="Now"/>.</param>
    /// <param name="description">A few words for the trace.</param>
    /// <param name="action">What to do.</param>
    /// <param name="replica">The replica it concerns, for the trace (-1: the cluster).</param>
    public void At(long at, string description, Action action, int replica = -1)
    {
        ArgumentNullException.ThrowIfNull(action);
        Schedule(Math.Max(at, _now), new SimEvent { Kind = SimEventKind.Script, Replica = replica, Description = description, Action = action });
    }

    /// <summary>Processes events up to and including virtual time <paramref name="time"/>, then sets the clock to it.</summary>
    public void RunUntil(long time)
    {
        while (_queue.TryPeek(out _, out var priority) && priority.Time <= time)
        {
            Step();
        }
        _now = Math.Max(_now, time);
    }

    /// <summary>Processes events for <paramref name="milliseconds"/> of virtual time.</summary>
    public void RunFor(long milliseconds) => RunUntil(_now + milliseconds);

    /// <summary>
    /// Processes events until <paramref name="condition"/> holds (tested after every event) or
    /// <paramref name="deadline"/> passes; returns the time it first held, or null.
    /// </summary>
    public long? RunUntil(Func<bool> condition, long deadline)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition())
        {
            return _now;
        }
        while (_queue.TryPeek(out _, out var priority) && priority.Time <= deadline)
        {
            Step();
            if (condition())
            {
                return _now;
            }
        }
        _now = Math.Max(_now, deadline);
        return null;
    }

    private void Schedule(long at, SimEvent e) => _queue.Enqueue(e, (at, _order++));

    private void Step()
    {
        if (!_queue.TryDequeue(out var e, out var priority))
        {
            return;
        }
        _now = priority.Time;
        switch (e.Kind)
        {
            case SimEventKind.Tick:
                OnTick(e);
                break;
            case SimEventKind.Deliver:
                OnDeliver(e);
                break;
            case SimEventKind.DiskDone:
                OnDiskDone(e);
                break;
            case SimEventKind.Script:
                _trace.Record(_now, TraceKind.Script, e.Replica, detail: e.Description);
                e.Action!();
                break;
        }
    }
}
