using System.Globalization;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

public sealed partial class Simulation
{
    /// <summary>The workflow every <see cref="MutationKind.FlowTransition"/> moves: two competing final states.</summary>
    private static readonly WorkflowDefinition ReviewFlow = new("review", ["draft", "review", "approved", "rejected"],
        [("draft", "review"), ("review", "approved"), ("review", "rejected")]);

    /// <summary>Writes issued so far.</summary>
    public int WritesIssued => _ledger.Writes.Count;

    /// <summary>Writes a replica refused because its clock was skewed (not issued, not in the ledger).</summary>
    public int WritesRefusedForClock { get; private set; }

    /// <summary>Messages and objects refused for clock drift, over every replica.</summary>
    public long ClockRefusals { get; private set; }

    /// <summary>Writes a replica has reported acknowledged at their level.</summary>
    public int WritesAcknowledged => _ledger.Writes.Count(w => w.Acknowledged);

    /// <summary>
    /// Issues a write of one or more mutations (one transaction) at replica <paramref name="index"/> and
    /// records it for the checkers. Returns the write's handle, or -1 if the replica is down. A mutation the
    /// object refuses for its value (see <see cref="IsRefusal"/>) changes nothing and is recorded as refused,
    /// the way the node answers 422; the others of the write go ahead. Any other exception is a violation.
    /// </summary>
    public int Write(int index, IReadOnlyList<SimulatedMutation> mutations, Consistency consistency = Consistency.Local, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(mutations);
        var replica = _replicas[index];
        if (replica.Core is not { } core || replica.Leaving)
        {
            return -1;
        }
        if (core.ClockSkewed)
        {
            // The replica refuses writes while most members disagree with its clock (it would throw).
            WritesRefusedForClock++;
            _trace.Record(_now, TraceKind.Script, index, detail: $"write refused, clock skewed: {core.ClockHealth.Reason}");
            return -1;
        }
        var record = _ledger.Add(index, replica.Id, replica.Incarnation, _now, consistency, mutations);
        _trace.Record(_now, TraceKind.Script, index, detail: $"issues {record}");
        Guard(replica, "a write", () =>
        {
            var writeId = core.Write(tx =>
            {
                for (var i = 0; i < mutations.Count; i++)
                {
                    try
                    {
                        Apply(replica, tx, mutations[i]);
                    }
                    catch (Exception e) when (IsRefusal(mutations[i], e))
                    {
                        record.Refused.Add(i);
                        _trace.Record(_now, TraceKind.Script, index, detail: $"refused {mutations[i]}: {e.GetType().Name}");
                    }
                }
            }, consistency, timeoutMs);
            replica.PendingWrites[writeId] = record;
            NoteOwnCounters(core, record);
        });
        Drain(replica);
        return record.Handle;
    }

    /// <summary>Issues a single-mutation write (see <see cref="Write(int, IReadOnlyList{SimulatedMutation}, Consistency, long?)"/>).</summary>
    public int Write(int index, SimulatedMutation mutation, Consistency consistency = Consistency.Local, long? timeoutMs = null)
        => Write(index, [mutation], consistency, timeoutMs);

    /// <summary>Every element added to the plain set at <paramref name="key"/> so far (for choosing what to remove).</summary>
    public IReadOnlyList<string> ElementsAdded(string key) => [.. _ledger.ElementsOf(key)];

    /// <summary>Whether the object refused mutation <paramref name="mutation"/> of the write with this handle (it changed nothing).</summary>
    public bool IsRefused(int handle, int mutation = 0) => handle >= 0 && _ledger.Writes[handle].Refused.Contains(mutation);

    /// <summary>Whether the write with this handle was reported acknowledged at its level.</summary>
    public bool IsAcknowledged(int handle) => handle >= 0 && _ledger.Writes[handle].Acknowledged;

    /// <summary>
    /// Whether a quorum read that times out is a violation: set for runs without faults, where every replica is up
    /// and every message and storage request arrives within milliseconds, so each peer must answer in time.
    /// </summary>
    public bool RequireQuorumReadsGathered { get; set; }

    /// <summary>
    /// Issues a read at replica <paramref name="index"/>. When a read of a set at Majority or All gathers its
    /// quorum, the checker requires the replica to hold every add acknowledged at Majority or All before
    /// the read was issued (read-your-writes across replicas), unless a disk was lost in between. Returns false if the replica is down.
    /// </summary>
    public bool Read(int index, string key, Consistency consistency, long? timeoutMs = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var replica = _replicas[index];
        if (replica.Core is not { } core || replica.Leaving)
        {
            return false;
        }
        _trace.Record(_now, TraceKind.Script, index, detail: $"reads {key} at {consistency}");
        Guard(replica, "a read", () =>
        {
            var readId = core.Read(key, consistency, timeoutMs);
            replica.PendingReads[readId] = (key, _now);
        });
        Drain(replica);
        return true;
    }

    /// <summary>Notes the writer's own entry of every grow-only counter the write incremented (see <see cref="WriteRecord.OwnCounterAfter"/>).</summary>
    private static void NoteOwnCounters(ReplicaCore core, WriteRecord record)
    {
        for (var i = 0; i < record.Mutations.Count; i++)
        {
            var m = record.Mutations[i];
            if (m.Kind == MutationKind.GCounterIncrement && !record.Refused.Contains(i) && core.Get<GCounter>(m.Key) is { } counter)
            {
                record.OwnCounterAfter[m.Key] = counter.ValueOf(record.Author);
            }
        }
    }

    private static void Apply(SimulatedReplica replica, ReplicaTransaction tx, SimulatedMutation m)
    {
        var id = replica.Id;
        switch (m.Kind)
        {
            case MutationKind.SetAdd:
                tx.Update<ORSet<string>>(m.Key, s => s.Add(id, m.Element));
                break;
            case MutationKind.SetAddRange:
                tx.Update<ORSet<string>>(m.Key, s =>
                {
                    var delta = ORSet<string>.CreateEmpty();
                    for (var i = 0UL; i < m.Amount; i++)
                    {
                        delta.Join(s.Add(id, string.Create(CultureInfo.InvariantCulture, $"{m.Element}{i}")));
                    }
                    return delta;
                });
                break;
            case MutationKind.SetRemove:
                tx.Update<ORSet<string>>(m.Key, s => s.Remove(m.Element));
                break;
            case MutationKind.NestedAdd:
                tx.Update<ORMap<string, ORSet<string>>>(m.Key, map => map.Update(m.Element, s => s.Add(id, m.Element2)));
                break;
            case MutationKind.NestedRemove:
                tx.Update<ORMap<string, ORSet<string>>>(m.Key, map => map.Remove(m.Element));
                break;
            case MutationKind.GCounterIncrement:
                tx.Update<GCounter>(m.Key, c => c.Increment(id, m.Amount));
                break;
            case MutationKind.PNCounterIncrement:
                tx.Update<PNCounter>(m.Key, c => c.Increment(id, m.Amount));
                break;
            case MutationKind.PNCounterDecrement:
                tx.Update<PNCounter>(m.Key, c => c.Decrement(id, m.Amount));
                break;
            case MutationKind.RegisterSet:
                var clock = replica.Clock!;
                tx.Update<LWWRegister<string>>(m.Key, r => r.Set(id, clock, m.Element));
                break;
            case MutationKind.SeriesAppend:
                tx.Update<ORMap<string, TimeSeries>>(m.Key, map => map.Update(m.Element, s => s.UseWindow(1_000).Append(id, (long)m.Amount, m.Value)));
                break;
            case MutationKind.SeriesDownsample:
                tx.Update<ORMap<string, TimeSeries>>(m.Key, map => map.Update(m.Element, s => s.UseWindow(1_000).DownsampleBefore((long)m.Amount)));
                break;
            case MutationKind.SeriesRemove:
                tx.Update<ORMap<string, TimeSeries>>(m.Key, map => map.Remove(m.Element));
                break;
            case MutationKind.FlowTransition:
                tx.Update<ORMap<string, Workflow>>(m.Key, map => map.Update(m.Element, w =>
                {
                    var next = w.Bind(ReviewFlow).AllowedNext;
                    return next.Count == 0 ? Workflow.CreateEmpty() : w.Transition(id, next[(int)(m.Amount % (ulong)next.Count)]);
                }));
                break;
            case MutationKind.FlowRemove:
                tx.Update<ORMap<string, Workflow>>(m.Key, map => map.Remove(m.Element));
                break;
            case MutationKind.TextInsert:
                tx.Update<FugueText>(m.Key, t => t.Insert(id, (int)(m.Amount % (ulong)(t.Length + 1)), m.Element));
                break;
            case MutationKind.TextDelete:
                tx.Update<FugueText>(m.Key, t =>
                {
                    if (t.Length == 0)
                    {
                        return t.Delete(id, 0, 0);
                    }
                    var at = (int)(m.Amount % (ulong)t.Length);
                    return t.Delete(id, at, (int)Math.Min(1 + ((m.Amount >> 32) % 3), (ulong)(t.Length - at)));
                });
                break;
        }
    }

    /// <summary>
    /// Whether an exception is the object refusing a mutation for its value, with nothing changed: a counter increment
    /// that would take the writer's own entry past 2^64 - 1, a series value that is NaN, infinite or would make its
    /// window's sum non-finite, a text edit that would split a surrogate pair.
    /// </summary>
    private static bool IsRefusal(SimulatedMutation m, Exception e) => m.Kind switch
    {
        MutationKind.GCounterIncrement or MutationKind.PNCounterIncrement or MutationKind.PNCounterDecrement => e is OverflowException,
        MutationKind.SeriesAppend => e is NonFiniteAggregateException || (e is ArgumentException && double.IsNaN(m.Value)),
        MutationKind.TextInsert or MutationKind.TextDelete => e is SurrogatePairSplitException,
        _ => false,
    };

    private void OnWriteCompleted(SimulatedReplica replica, WriteCompleted completed)
    {
        if (!replica.PendingWrites.TryGetValue(completed.WriteId, out var record))
        {
            if (Application is not null)
            {
                // The application's own write (write ids are unique per incarnation, so it cannot be one of ours).
                return;
            }
            Fail($"r{replica.Index} completed write {completed.WriteId}, which it has no record of (or already completed)");
            return;
        }
        _trace.Record(_now, TraceKind.WriteCompleted, replica.Index, x: record.Handle, detail: completed.Outcome.ToString());
        switch (completed.Outcome)
        {
            case WriteOutcome.Acknowledged:
                record.AcknowledgedAt = _now;
                replica.PendingWrites.Remove(completed.WriteId);
                if (record.Level == Consistency.All)
                {
                    CheckHeldByEveryMember(replica, record);
                }
                break;
            case WriteOutcome.TimedOut:
                record.TimedOut = true;
                replica.PendingWrites.Remove(completed.WriteId);
                break;
            case WriteOutcome.StorageFailed:
                // Final for the caller, but indeterminate: the write stays applied in memory and its
                // persistence is retried, so it may still survive and replicate.
                record.StorageFailed = true;
                replica.PendingWrites.Remove(completed.WriteId);
                break;
        }
    }

    private void OnReadCompleted(SimulatedReplica replica, ReadCompleted completed)
    {
        if (!replica.PendingReads.Remove(completed.ReadId, out var read))
        {
            if (Application is not null)
            {
                return;
            }
            Fail($"r{replica.Index} completed read {completed.ReadId}, which it has no record of (or already completed)");
            return;
        }
        _trace.Record(_now, TraceKind.ReadCompleted, replica.Index, x: completed.ReadId, detail: $"{read.Key} {completed.Outcome}");
        if (completed.Outcome == ReadOutcome.TimedOut && RequireQuorumReadsGathered)
        {
            Fail($"liveness: r{replica.Index}'s quorum read of {read.Key} issued at t={read.IssuedAt} timed out with every replica up, on a perfect network and disks");
            return;
        }
        if (completed.Outcome != ReadOutcome.Gathered)
        {
            return;
        }
        replica.Core!.TryGetState(read.Key, out var state, out _);
        if (state is not null and not ORSet<string>)
        {
            return;
        }
        var set = state as ORSet<string>;
        foreach (var (write, add) in _ledger.AcknowledgedAdds(w => w.Level != Consistency.Local && w.AcknowledgedAt < read.IssuedAt && !_ledger.DiskLostBetween(w.AcknowledgedAt, read.IssuedAt)))
        {
            if (add.Kind == MutationKind.SetAdd && string.Equals(add.Key, read.Key, StringComparison.Ordinal) && (set is null || !set.Contains(add.Element)))
            {
                Fail($"read-your-writes: r{replica.Index} gathered a quorum read of {read.Key} issued at t={read.IssuedAt} without '{add.Element}' of {write}");
            }
        }
    }
}
