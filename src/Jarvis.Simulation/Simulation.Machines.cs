using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Storage;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

public sealed partial class Simulation
{
    /// <summary>
    /// Crashes replica <paramref name="index"/>: its memory and every storage request not yet completed are
    /// lost; messages reaching it while it is down are dropped; its writes not yet reported on stay unresolved.
    /// </summary>
    public void Crash(int index)
    {
        var replica = _replicas[index];
        if (!replica.IsUp || replica.Leaving)
        {
            // Leaving is not crash-safe (a replica that crashes while leaving returns as a member), so the
            // schedules crash only members.
            return;
        }
        var lost = replica.Disk.LoseUncompleted();
        replica.Core = null;
        replica.Incarnation++;
        foreach (var write in replica.PendingWrites.Values)
        {
            write.LostInCrash = true;
        }
        replica.PendingWrites.Clear();
        replica.PendingReads.Clear();
        replica.Digest = null;
        _changed = true;
        if (Application is { } application)
        {
            Guard(replica, "stopping the application", () => application.Stopped(index));
        }
        _trace.Record(_now, TraceKind.DiskDropped, index, x: lost);
        _trace.Record(_now, TraceKind.Script, index, detail: "crashed");
    }

    /// <summary>
    /// Makes a replica leave the cluster: it stops taking writes, hands off what it holds, announces its
    /// departure and is then stopped for good. The others retire it from causal metadata at a quiet cut.
    /// </summary>
    public void Leave(int index)
    {
        var replica = _replicas[index];
        if (replica.Core is not { } core || replica.Leaving)
        {
            return;
        }
        replica.Leaving = true;
        Guard(replica, "leaving", core.Leave);
        _trace.Record(_now, TraceKind.Script, index, detail: "leaves the cluster");
    }

    /// <summary>Whether a replica has left for good.</summary>
    public bool HasDeparted(int index) => _replicas[index].Departed;

    /// <summary>
    /// Whether every remaining replica has retired every departed one it knows of and no longer mentions any
    /// departed replica in a causal context where it has no live dot. (An identity that left before any member
    /// admitted it — a machine that lost its disk and left at once — is known nowhere and has nothing to retire.)
    /// </summary>
    public bool DepartedRetired()
    {
        var departed = _replicas.Where(r => r.Departed).Select(r => r.Id).ToList();
        return Remaining.All(r => r.Core is { } core
            && departed.All(id => core.RetiredMembers.Contains(id) || core.Members.All(m => m.Id != id))
            && core.KeysWithRetirableMetadata().Count == 0);
    }

    /// <summary>
    /// Restarts a crashed replica as a fresh core restored from its disk, with every other replica as a
    /// peer: under the identity its disk records, or, when the disk was lost, under a new one.
    /// </summary>
    public void Restart(int index)
    {
        var replica = _replicas[index];
        if (replica.IsUp || replica.Departed)
        {
            return;
        }
        var previous = replica.Id;
        Start(replica, restore: true);
        _trace.Record(_now, TraceKind.Script, index, detail: replica.Id == previous
            ? $"restarted from disk as {replica.Id} (last sequence {replica.Disk.LastSequence})"
            : $"restarted on an empty disk as a new identity {replica.Id} (was {previous})");
    }

    /// <summary>
    /// Crashes replica <paramref name="index"/> (if it is up) and loses its disk: it restarts empty, under a new
    /// identity, as a node does when its data folder is gone. Writes of the lost identity acknowledged at
    /// Local may be lost with the disk; those acknowledged at Majority or All may not.
    /// </summary>
    public void LoseDisk(int index)
    {
        var replica = _replicas[index];
        if (replica.Departed || replica.Leaving)
        {
            return;
        }
        Crash(index);
        replica.Disk = new SimulatedDisk();
        replica.DisksLost++;
        _ledger.MarkDiskLost(replica.Id, _now);
        _trace.Record(_now, TraceKind.Script, index, detail: $"lost its disk ({replica.Id})");
    }

    /// <summary>Makes replica <paramref name="index"/>'s disk full (every request fails) or not.</summary>
    public void SetDiskFull(int index, bool full)
    {
        _replicas[index].Disk.Full = full;
        _trace.Record(_now, TraceKind.Script, index, detail: full ? "disk full" : "disk has space");
    }

    /// <summary>Sets the chance that a storage request of replica <paramref name="index"/> fails with an I/O error.</summary>
    public void SetWriteErrorRate(int index, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        _replicas[index].Disk.WriteErrorRate = rate;
        _trace.Record(_now, TraceKind.Script, index, detail: $"write error rate {rate:F2}");
    }

    /// <summary>The drift bound of every replica's clock (see <see cref="SimulationOptions.MaxClockDriftMs"/>).</summary>
    public long MaxClockDriftMs => _options.MaxClockDriftMs;

    /// <summary>Sets how far replica <paramref name="index"/>'s wall clock (read by its hybrid logical clock) is ahead of virtual time.</summary>
    public void SetClockSkew(int index, long skewMs)
    {
        var replica = _replicas[index];
        replica.ClockSkewMs = skewMs;
        // Set back below what it already issued, the clock's own timestamps lie ahead of it (exempt from CheckClock).
        replica.ClockSteppedBack |= replica.Clock is { } clock && clock.Last.WallTime > clock.WallTime + (ulong)_options.MaxClockDriftMs + 1;
        _trace.Record(_now, TraceKind.Script, index, detail: $"clock skew {skewMs} ms");
    }

    /// <summary>Exceptions a replica's input or output threw that the driver caught (each a violation unless an investigation looks past it).</summary>
    public int DriverFailures { get; private set; }

    /// <summary>A test's fault: runs before the driver performs each output of a replica (by index); throwing from it fails that output.</summary>
    internal Action<int, ReplicaOutput>? BeforePerform { get; set; }

    /// <summary>An application every replica runs (null: none). Set it before the first event runs; replicas already started are started in it at once.</summary>
    public ISimulatedApplication? Application
    {
        get => _application;
        set
        {
            _application = value;
            if (value is null)
            {
                return;
            }
            foreach (var replica in _replicas)
            {
                if (replica.Core is { } core)
                {
                    Guard(replica, "starting the application", () => value.Started(replica.Index, core, _now));
                    Drain(replica);
                }
            }
        }
    }

    private ISimulatedApplication? _application;

    /// <summary>Storage requests completed, failed, and dropped after a failure, over every replica.</summary>
    public (long Completed, long Failed, long Dropped) StorageStatistics
        => (_replicas.Sum(r => r.Disk.Completed), _replicas.Sum(r => r.Disk.Failed), _replicas.Sum(r => r.Disk.Dropped));

    private void Start(SimulatedReplica replica, bool restore)
    {
        EstablishIdentity(replica);
        replica.Clock = new HybridLogicalClock(new ReplicaClock(() => _now, replica), TimeSpan.FromMilliseconds(_options.MaxClockDriftMs));
        var core = new ReplicaCore(replica.Id, CrdtTypeRegistry.CreateDefault(), _options.Replica, new Random(_random.Next()), replica.Clock);
        replica.Core = core;
        replica.Digest = null;
        _changed = true;
        var incarnation = replica.Incarnation;
        Guard(replica, "starting", () =>
        {
            if (restore)
            {
                core.Restore(replica.Disk.Recover());
            }
            foreach (var other in Remaining)
            {
                // Not an identity whose disk is gone: its machine comes back as another.
                if (other.IsUp || other.Disk.RecordsIdentity)
                {
                    core.AddPeer(other.Id);
                }
            }
            core.Tick(_now);
        });
        if (Application is { } application)
        {
            Guard(replica, "starting the application", () => application.Started(replica.Index, core, _now));
        }
        Drain(replica);
        // Replicas tick out of phase, as separate machines would.
        Schedule(_now + 1 + _random.NextInt64(_options.TickIntervalMs), new SimEvent { Kind = SimEventKind.Tick, Replica = replica.Index, Incarnation = incarnation });
    }

    /// <summary>
    /// The identity a starting replica writes under, as a node's store records it: the one on its disk; on a
    /// disk that was lost, a new one, recorded before the replica runs.
    /// </summary>
    private void EstablishIdentity(SimulatedReplica replica)
    {
        if (ReplicaIdentity.TryRead(replica.Disk.Recover(), out var recorded))
        {
            replica.Id = recorded.Id;
            return;
        }
        if (!_options.ReuseIdentityOnDiskLoss)
        {
            replica.Id = new ReplicaId(_nextIdentity++);
            replica.Identities.Add(replica.Id);
            _byIdentity[replica.Id] = replica;
        }
        replica.Disk.SetMetadata(ReplicaIdentity.MetadataName, new ReplicaIdentity(replica.Id, Spent: false).Encode());
    }

    private void OnTick(SimEvent e)
    {
        var replica = _replicas[e.Replica];
        if (replica.Incarnation != e.Incarnation || replica.Core is not { } core)
        {
            return;
        }
        _trace.Record(_now, TraceKind.Tick, e.Replica);
        Guard(replica, "a tick", () => core.Tick(_now));
        if (Application is { } application && replica.Core == core)
        {
            Guard(replica, "the application's tick", () => application.Tick(e.Replica, _now));
        }
        Drain(replica);
        if (replica.Leaving && core.CanStop && replica.PendingWrites.Count == 0 && replica.PendingReads.Count == 0 && replica.Disk.PendingCount == 0)
        {
            replica.Core = null;
            replica.Departed = true;
            replica.Incarnation++;
            _changed = true;
            foreach (var other in _replicas)
            {
                // Digests leave out departed replicas' dead entries: the set just changed.
                other.Digest = null;
            }
            _trace.Record(_now, TraceKind.Script, e.Replica, detail: "left for good");
            RemoveEarlierIdentities(replica);
            return;
        }
        Schedule(_now + _options.TickIntervalMs, e);
    }

    /// <summary>
    /// What an operator does for a machine that left for good after losing its disk (`jarvis member remove`):
    /// its earlier identities, which no successor will now replace, are removed wherever they are Down —
    /// retried each second until none is left anywhere, since they go Down at their own pace.
    /// </summary>
    private void RemoveEarlierIdentities(SimulatedReplica departed)
    {
        if (departed.Identities.Count == 1)
        {
            return;
        }
        var pending = false;
        foreach (var member in Remaining)
        {
            if (member.Core is not { } core)
            {
                pending = true;
                continue;
            }
            foreach (var entry in core.Members.Where(m => m.Id != departed.Id && !m.IsDeparted && departed.Identities.Contains(m.Id)).ToList())
            {
                if (core.RemoveMember(entry.Id) == MemberRemoval.Removed)
                {
                    _trace.Record(_now, TraceKind.Script, member.Index, departed.Index, detail: $"the operator removes {entry.Id}, an earlier identity of a machine that left");
                    Drain(member);
                }
                else
                {
                    pending = true;
                }
            }
        }
        if (pending)
        {
            At(_now + 1_000, "remove earlier identities", () => RemoveEarlierIdentities(departed), departed.Index);
        }
    }

    private void OnDiskDone(SimEvent e)
    {
        var replica = _replicas[e.Replica];
        if (replica.Incarnation != e.Incarnation || replica.Core is not { } core)
        {
            return;
        }
        if (!replica.Disk.TryComplete(e.Token, _random, out var batchId, out var failure, out var dropped))
        {
            return;
        }
        if (failure is { } f)
        {
            _trace.Record(_now, TraceKind.DiskFailed, e.Replica, x: batchId, y: dropped, detail: f.ToString());
        }
        else
        {
            _trace.Record(_now, TraceKind.DiskDone, e.Replica, x: batchId);
        }
        Guard(replica, "a storage completion", () => core.PersistCompleted(batchId, failure));
        Drain(replica);
    }

    private void Persist(SimulatedReplica replica, ReplicaOutput request)
    {
        var latency = _options.MinDiskLatencyMs + _random.NextInt64(Math.Max(1, _options.MaxDiskLatencyMs - _options.MinDiskLatencyMs + 1));
        var (token, due) = replica.Disk.Enqueue(request, _now, latency);
        _lastActivityAt = _now;
        if (request is PersistLog log)
        {
            foreach (var record in log.Records)
            {
                _largestDelta = Math.Max(_largestDelta, record.Delta.Length);
            }
        }
        Schedule(due, new SimEvent { Kind = SimEventKind.DiskDone, Replica = replica.Index, Incarnation = replica.Incarnation, Token = token });
    }

    /// <summary>Performs everything the replica asked for, in order.</summary>
    /// <param name="replica">The replica that just took an input.</param>
    /// <param name="entries">The objects in the message it received, if any: each may be logged and reported on its own.</param>
    private void Drain(SimulatedReplica replica, int entries = 0)
    {
        if (replica.Core is not { } core)
        {
            return;
        }
        if (_options.CheckBoundsEveryStep)
        {
            CheckPendingOutputs(replica, core.PendingOutputs, entries);
        }
        // An application may act on an output (a claim's write completing issues a read): drain until quiet.
        for (var round = 0; round < 16 && core.PendingOutputs > 0; round++)
        {
            DrainOnce(replica, core);
        }
        if (_options.CheckBoundsEveryStep)
        {
            CheckBuffers(replica, core);
            CheckClock(replica);
        }
    }

    private void DrainOnce(SimulatedReplica replica, ReplicaCore core)
    {
        foreach (var output in core.TakeOutputs())
        {
            // Each output on its own: one that throws does not lose the ones after it.
            try
            {
                BeforePerform?.Invoke(replica.Index, output);
                Application?.Observe(replica.Index, output);
                Perform(replica, output);
            }
            catch (SimulationFailureException)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                DriverFailed(replica, "performing " + output.GetType().Name, e);
            }
        }
    }

    private void Perform(SimulatedReplica replica, ReplicaOutput output)
    {
        switch (output)
        {
            case SendMessage send:
                Send(replica, send);
                break;
            case PersistLog or PersistCheckpoint:
                Persist(replica, output);
                break;
            case WriteCompleted completed:
                OnWriteCompleted(replica, completed);
                break;
            case ReadCompleted completed:
                OnReadCompleted(replica, completed);
                break;
            case ObjectChanged:
                replica.Digest = null;
                _changed = true;
                break;
            case ProtocolError error:
                Fail($"r{replica.Index} reported a protocol error from {error.From}: {error.Reason}");
                break;
            case ClockDriftRefused refused:
                ClockRefusals++;
                _trace.Record(_now, TraceKind.Script, replica.Index, detail: $"clock refusal from {refused.From}: {refused.Reason}");
                break;
        }
    }

    /// <summary>Runs a core input, guarded like every output the driver performs (see <see cref="DriverFailed"/>).</summary>
    private void Guard(SimulatedReplica replica, string what, Action input)
    {
        try
        {
            input();
        }
        catch (SimulationFailureException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            DriverFailed(replica, what, e);
        }
    }

    /// <summary>
    /// An input or output of a replica threw. The driver survives it as the node's does — it is traced and
    /// counted (<see cref="DriverFailures"/>), and the replica carries on — and, since an exception from the
    /// core is a bug, it is a violation naming the seed, the replica and what it was doing, unless an
    /// investigation has switched that check off to look at what the history does next.
    /// </summary>
    private void DriverFailed(SimulatedReplica replica, string what, Exception e)
    {
        DriverFailures++;
        _trace.Record(_now, TraceKind.DriverFailure, replica.Index, detail: $"{what}: {e.GetType().Name}: {e.Message}");
        if ((_options.Checks & SimulationChecks.DriverFailures) != 0)
        {
            Fail($"r{replica.Index} threw {e.GetType().Name} while {what}: {e.Message}", e);
        }
    }

    internal void Fail(string violation, Exception? cause = null)
        => throw new SimulationFailureException(_options.Seed, violation, _trace.Latest(), cause);
}
