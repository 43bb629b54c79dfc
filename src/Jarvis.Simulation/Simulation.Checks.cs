using System.Buffers;
using System.IO.Hashing;
using System.Text;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

public sealed partial class Simulation
{
    private bool _changed = true;

    /// <summary>The replicas that have not left for good.</summary>
    private IEnumerable<SimulatedReplica> Remaining => _replicas.Where(r => !r.Departed);
    private string? _convergedDigest;

    /// <summary>
    /// How long nothing may be sent or stored before the cluster counts as quiet: longer than any
    /// retransmission timer of the core (a state transfer is retried after four retransmission periods).
    /// </summary>
    public long QuietPeriodMs => (4 * _options.Replica.RetransmitAfterMs) + (2 * _options.Replica.SyncIntervalMs) + _maxDelay + _options.TickIntervalMs;

    /// <summary>
    /// The digest of replica <paramref name="index"/>: a hash of every object's key, type and canonical
    /// encoding, in key order. Equal digests mean equal states.
    /// </summary>
    public string Digest(int index)
    {
        var replica = _replicas[index];
        if (replica.Core is not { } core)
        {
            return "(down)";
        }
        return replica.Digest ??= ComputeDigest(core, [.. _replicas.Where(r => r.Departed).Select(r => r.Id)]);
    }

    /// <summary>Whether every replica is up and all digests are equal.</summary>
    public bool DigestsEqual()
    {
        var first = Digest(0);
        foreach (var replica in Remaining)
        {
            if (!string.Equals(Digest(replica.Index), first, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return _replicas[0].IsUp;
    }

    /// <summary>
    /// Processes events until every replica's digest is equal (checked after each event that changed an
    /// object) or <paramref name="deadline"/> passes; returns the time of convergence, or null.
    /// </summary>
    public long? RunUntilConverged(long deadline)
        => RunUntil(() =>
        {
            if (!_changed)
            {
                return _convergedDigest is not null;
            }
            _changed = false;
            _convergedDigest = DigestsEqual() ? Digest(0) : null;
            return _convergedDigest is not null;
        }, deadline);

    /// <summary>
    /// Runs until the cluster is quiet: every replica up and seen Up by every other, nothing on the wire, no
    /// storage request outstanding, no write or read waiting, no refused object held for a clock to catch up,
    /// and nothing sent or stored for <see cref="QuietPeriodMs"/>.
    /// Failing to get there within <paramref name="maxMs"/> is a violation. Returns the time it went quiet.
    /// </summary>
    public long RunUntilQuiescent(long maxMs)
    {
        var deadline = _now + maxMs;
        var step = Math.Max(_options.TickIntervalMs, _options.Replica.SyncIntervalMs);
        while (!IsQuiet())
        {
            if (_now >= deadline)
            {
                var busy = Remaining.Where(r => !r.IsUp || r.Disk.PendingCount > 0 || r.PendingWrites.Count > 0 || r.PendingReads.Count > 0)
                    .Select(r => $"r{r.Index}: {(r.IsUp ? "up" : "down")}, disk {r.Disk.PendingCount}, writes {r.PendingWrites.Count}, reads {r.PendingReads.Count}, buffer {r.Core?.DeltaBufferCount}");
                // What the checkers would say of the state reached tells a livelock over a divergence apart.
                var violations = Remaining.All(r => r.IsUp) ? Violations() : [];
                var unsettled = Remaining.All(r => r.IsUp) ? Unsettled() : null;
                Fail($"did not quiesce within {maxMs} ms: {_inFlightTotal} messages in flight, last send or store at t={_lastActivityAt}; {string.Join("; ", busy)}"
                    + (unsettled is null ? string.Empty : $"; membership unsettled: {unsettled}")
                    + (violations.Count > 0 ? $"{Environment.NewLine}and the checkers find: {Describe(violations)}" : string.Empty));
            }
            RunFor(step);
        }
        return _lastActivityAt;
    }

    /// <summary>
    /// The checkers, for a quiet cluster after every fault has healed: (a) every set add acknowledged at
    /// any level, whose element no remove ever targeted, is on every replica (except one acknowledged at
    /// Local by a replica whose disk was then lost); (b) every counter lies between the sum of its
    /// acknowledged changes (with the same exception) and the sum of all attempted and not refused, per
    /// author, exactly (sums pass 2^64); every text is well-formed UTF-16; (c) all digests are equal; every
    /// write has a final outcome (unless its replica crashed first); and every delta buffer has drained.
    /// Throws a <see cref="SimulationFailureException"/> listing every violation.
    /// </summary>
    public void CheckConverged()
    {
        if (Remaining.FirstOrDefault(r => !r.IsUp) is { } down)
        {
            Fail($"r{down.Index} is down: restart every replica before checking convergence");
        }
        var violations = Violations();
        if (violations.Count > 0)
        {
            Fail(Describe(violations));
        }
    }

    /// <summary>Every violation the convergence checkers find (every remaining replica must be up).</summary>
    private List<string> Violations()
    {
        var violations = new List<string>();
        CheckDigests(violations);
        CheckAcknowledgedAdds(violations);
        CheckCounters(violations);
        CheckTexts(violations);
        foreach (var write in _ledger.Writes)
        {
            if (!write.Resolved)
            {
                violations.Add($"liveness: {write} never got a final outcome");
            }
        }
        foreach (var replica in Remaining)
        {
            if (_options.Checks.HasFlag(SimulationChecks.BufferDrain) && replica.Core!.DeltaBufferCount != 0)
            {
                violations.Add($"r{replica.Index} still buffers {replica.Core.DeltaBufferCount} deltas ({replica.Core.DeltaBufferBytes} B) once every peer holds everything");
            }
        }
        return violations;
    }

    private static string Describe(List<string> violations)
        => string.Join(Environment.NewLine, violations.Take(12)) + (violations.Count > 12 ? $"{Environment.NewLine}... and {violations.Count - 12} more" : string.Empty);

    private void CheckDigests(List<string> violations)
    {
        var groups = Remaining.Select(r => r.Index).GroupBy(Digest).ToList();
        if (groups.Count == 1)
        {
            return;
        }
        violations.Add($"digests differ: {string.Join(" | ", groups.Select(g => $"{{{string.Join(",", g.Select(i => $"r{i}"))}}}"))}");
        var keys = Remaining.SelectMany(r => r.Core!.Keys).Distinct().Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var encodings = groups.Select(g => EncodedState(_replicas[g.First()].Core!, key)).ToList();
            if (encodings.Distinct().Count() == 1)
            {
                continue;
            }
            var states = groups.Select(g => Describe(_replicas[g.First()].Core!, key)).ToList();
            if (states.Distinct().Count() == 1)
            {
                // Equal values, different states (a causal context, a timestamp): show the bytes.
                states = encodings;
            }
            {
                violations.Add($"  key {key}: {string.Join(" | ", groups.Select((g, i) => $"r{g.First()}: {states[i]}"))}");
            }
        }
    }

    private void CheckAcknowledgedAdds(List<string> violations)
    {
        foreach (var (write, add) in _ledger.AcknowledgedAdds())
        {
            foreach (var replica in Remaining)
            {
                if (!HoldsAdd(replica.Core!, add))
                {
                    violations.Add($"acknowledged add lost: r{replica.Index} lacks {add} of {write}");
                }
            }
        }
    }

    /// <summary>Whether <paramref name="core"/> holds the element a set add or nested add added.</summary>
    private static bool HoldsAdd(ReplicaCore core, SimulatedMutation add) => add.Kind == MutationKind.SetAdd
        ? core.Get<ORSet<string>>(add.Key)?.Contains(add.Element) == true
        : core.Get<ORMap<string, ORSet<string>>>(add.Key) is { } map && map.TryGetValue(add.Element, out var nested) && nested.Contains(add.Element2);

    /// <summary>
    /// An All write is acknowledged only once every member holds it: at that instant, every member the writer counts
    /// (its peers) that is up under the identity the writer knows must hold each add of the write that no remove has
    /// targeted, and, for each grow-only counter the write incremented, the writer's entry at least as it stood right
    /// after the write. A member that is down is not looked at (it acknowledged from its disk, which it has kept); nor,
    /// when a lost disk's identity is reused, a member that lost its disk (what it acknowledged is gone with it).
    /// </summary>
    private void CheckHeldByEveryMember(SimulatedReplica writer, WriteRecord write)
    {
        foreach (var peer in writer.Core!.Peers)
        {
            if (!_byIdentity.TryGetValue(peer, out var member) || member.Id != peer || member.Core is not { } core
                || (_options.ReuseIdentityOnDiskLoss && member.DisksLost > 0))
            {
                continue;
            }
            for (var i = 0; i < write.Mutations.Count; i++)
            {
                var m = write.Mutations[i];
                if (write.Refused.Contains(i))
                {
                    continue;
                }
                if (m.Kind is MutationKind.SetAdd or MutationKind.NestedAdd && !_ledger.WasRemoveTargeted(m) && !HoldsAdd(core, m))
                {
                    Fail($"all: r{writer.Index} acknowledged {write} while member r{member.Index} ({peer}) lacks {m}");
                }
                if (m.Kind == MutationKind.GCounterIncrement && write.OwnCounterAfter.TryGetValue(m.Key, out var after))
                {
                    var held = core.Get<GCounter>(m.Key)?.ValueOf(write.Author) ?? 0;
                    if (held < after)
                    {
                        Fail($"all: r{writer.Index} acknowledged {write} while member r{member.Index} ({peer}) holds {held} of the writer's {after} in {m.Key}");
                    }
                }
            }
        }
    }

    private void CheckCounters(List<string> violations)
    {
        var keys = _ledger.Writes.SelectMany(w => w.Mutations)
            .Where(m => m.Kind is MutationKind.GCounterIncrement or MutationKind.PNCounterIncrement or MutationKind.PNCounterDecrement)
            .Select(m => (m.Key, m.Kind)).Distinct().ToList();
        foreach (var (key, kind) in keys)
        {
            var bounds = _ledger.CounterBounds(key, kind);
            foreach (var replica in Remaining)
            {
                var core = replica.Core!;
                if (kind == MutationKind.GCounterIncrement)
                {
                    var counter = core.Get<GCounter>(key);
                    foreach (var (author, (low, high)) in bounds)
                    {
                        // Every identity the machine wrote under: one per storage lifetime. Each identity's count
                        // reaches up to 2^64 - 1, so their sum is taken in 128 bits, like the bounds.
                        var value = UInt128.Zero;
                        foreach (var identity in _replicas[author].Identities)
                        {
                            value += counter?.ValueOf(identity) ?? 0;
                        }
                        if (value < low || value > high)
                        {
                            violations.Add($"counter bound: r{replica.Index} has {key} by r{author} = {value}, outside [{low} acknowledged, {high} attempted]");
                        }
                    }
                }
                else
                {
                    var counter = core.Get<PNCounter>(key);
                    var value = kind == MutationKind.PNCounterIncrement ? counter?.Increments ?? 0 : counter?.Decrements ?? 0;
                    var low = bounds.Values.Aggregate(UInt128.Zero, (sum, b) => sum + b.Acknowledged);
                    var high = bounds.Values.Aggregate(UInt128.Zero, (sum, b) => sum + b.Attempted);
                    if (value < low || value > high)
                    {
                        violations.Add($"counter bound: r{replica.Index} has {kind} total of {key} = {value}, outside [{low} acknowledged, {high} attempted]");
                    }
                }
            }
        }
    }

    /// <summary>Every text is well-formed UTF-16 on every replica: no edit, merge or undo split a surrogate pair.</summary>
    private void CheckTexts(List<string> violations)
    {
        foreach (var replica in Remaining)
        {
            var core = replica.Core!;
            foreach (var key in core.Keys)
            {
                if (core.TryGetState(key, out var state, out _) && state is FugueText text && !IsWellFormed(text.ToString()))
                {
                    violations.Add($"split character: r{replica.Index} has text {key} with a lone surrogate: \"{text}\"");
                }
            }
        }
    }

    private static bool IsWellFormed(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done)
            {
                return false;
            }
            rest = rest[used..];
        }
        return true;
    }

    private void CheckPendingOutputs(SimulatedReplica replica, int count, int entries)
    {
        var o = _options.Replica;
        var peers = _replicas.Length - 1;
        // Per received object: a change notice, a log request and a checkpoint request at most.
        var bound = 16 + (peers * (o.MaxBatchesInFlight + 2)) + (2 * replica.PendingWrites.Count) + replica.PendingReads.Count + (3 * entries);
        if (count <= bound)
        {
            return;
        }
        var core = replica.Core!;
        bound += (peers * StateMessages(core)) + (3 * core.Count);
        if (count > bound)
        {
            Fail($"r{replica.Index} produced {count} outputs from one input, above the bound {bound} derived from its options");
        }
    }

    /// <summary>
    /// No replica's hybrid logical clock is ever dragged more than the drift bound ahead of its own wall clock
    /// — what a future timestamp, once observed, would do to every later write of every key. A replica whose
    /// wall clock was set back is exempt: its own earlier timestamps legitimately lie ahead of it.
    /// </summary>
    private void CheckClock(SimulatedReplica replica)
    {
        if (replica.Clock is not { } clock || replica.ClockSteppedBack)
        {
            return;
        }
        var last = clock.Last;
        // One millisecond of slack: a full logical counter carries into the next millisecond.
        if (last.WallTime > clock.WallTime + (ulong)_options.MaxClockDriftMs + 1)
        {
            Fail($"r{replica.Index}'s clock was dragged ahead: its last timestamp {last} is {last.WallTime - clock.WallTime} ms past its wall clock, beyond the drift bound of {_options.MaxClockDriftMs} ms");
        }
    }

    private void CheckBuffers(SimulatedReplica replica, ReplicaCore core)
    {
        if (!_options.Checks.HasFlag(SimulationChecks.BufferBounds))
        {
            return;
        }
        var o = _options.Replica;
        var undurable = core.LastSequence - core.DurableSequence;
        if (core.DeltaBufferCount > o.DeltaBufferLimit + undurable)
        {
            Fail($"r{replica.Index} buffers {core.DeltaBufferCount} deltas, above the limit {o.DeltaBufferLimit} plus {undurable} not yet durable");
        }
        if (core.DeltaBufferBytes > o.DeltaBufferByteLimit + (undurable * _largestDelta))
        {
            Fail($"r{replica.Index} buffers {core.DeltaBufferBytes} B of deltas, above the limit {o.DeltaBufferByteLimit} B plus {undurable} deltas not yet durable of at most {_largestDelta} B");
        }
    }

    private void CheckInFlight(int from, int to, int count)
    {
        var o = _options.Replica;
        var rounds = 1 + (_maxDelay / Math.Max(1, o.SyncIntervalMs));
        var bound = 2 * ((rounds * ((2 * o.MaxBatchesInFlight) + 2)) + 8 + _replicas[from].PendingReads.Count + _replicas[to].PendingReads.Count);
        if (count <= bound || _replicas[from].Core is not { } core)
        {
            return;
        }
        bound += 4 * StateMessages(core) * (1 + (_maxDelay / Math.Max(1, 4 * o.RetransmitAfterMs)));
        if (count > bound)
        {
            Fail($"{count} messages in flight from r{from} to r{to}, above the bound {bound} derived from the options and the network delay");
        }
    }

    /// <summary>An upper bound on the messages of one state transfer of this replica's keyspace.</summary>
    private int StateMessages(ReplicaCore core)
    {
        var part = Math.Max(1, _options.Replica.MaxMessageBytes - 256);
        var messages = 1;
        foreach (var key in core.Keys)
        {
            core.TryGetState(key, out var state, out var type);
            messages += 1 + (type!.Encode(state!).Length / part);
        }
        return messages;
    }

    private bool IsQuiet()
    {
        if (_inFlightData != 0 || _now - _lastActivityAt < QuietPeriodMs)
        {
            return false;
        }
        foreach (var replica in Remaining)
        {
            if (!replica.IsUp || replica.Disk.PendingCount > 0 || replica.PendingWrites.Count > 0 || replica.PendingReads.Count > 0 || replica.Core!.AwaitingClock)
            {
                return false;
            }
        }
        return Unsettled() is null;
    }

    /// <summary>
    /// A replica that believes a live one is not Up (it suspects it, or has not heard of its new identity yet),
    /// or null: a cluster is quiet only once membership has settled, since a member believed Down is sent
    /// nothing until it refutes that, however long the wire stays silent meanwhile.
    /// </summary>
    private string? Unsettled()
    {
        foreach (var replica in Remaining)
        {
            var members = replica.Core!.Members;
            foreach (var other in Remaining)
            {
                if (other != replica && !members.Any(m => m.Id == other.Id && m.Status == Replication.Membership.MemberStatus.Up))
                {
                    return $"r{replica.Index} does not see r{other.Index} ({other.Id}) up";
                }
            }
        }
        return null;
    }

    private static string ComputeDigest(ReplicaCore core, IReadOnlyList<ReplicaId> departed)
    {
        var hash = new XxHash128();
        foreach (var key in core.Keys.Order(StringComparer.Ordinal))
        {
            core.TryGetState(key, out var state, out var type);
            // A departed replica's entry where none of its dots is live is metadata that retirement
            // prunes at a quiet cut; members reach that cut at different times (or, beyond the mesh
            // limit, not all of them), so states are compared without it.
            if (state is IPrunable prunable && departed.Any(d => prunable.Context.IndexOf(d) >= 0 && !prunable.HoldsDotsOf(d)))
            {
                state = type!.Clone(state);
                foreach (var d in departed)
                {
                    if (!((IPrunable)state).HoldsDotsOf(d))
                    {
                        ((IPrunable)state).Forget(d);
                    }
                }
            }
            hash.Append(Encoding.UTF8.GetBytes(key));
            hash.Append([0]);
            hash.Append(Encoding.UTF8.GetBytes(type!.Name));
            hash.Append([0]);
            var bytes = type.Encode(state!);
            hash.Append(BitConverter.GetBytes(bytes.Length));
            hash.Append(bytes);
        }
        return Convert.ToHexString(hash.GetCurrentHash());
    }

    private static string EncodedState(ReplicaCore core, string key)
    {
        if (!core.TryGetState(key, out var state, out var type))
        {
            return "(absent)";
        }
        var hex = Convert.ToHexString(type.Encode(state));
        return hex.Length > 160 ? hex[..160] + "..." : hex;
    }

    private static string Describe(ReplicaCore core, string key)
    {
        if (!core.TryGetState(key, out var state, out _))
        {
            return "(absent)";
        }
        var text = state.ToString() ?? string.Empty;
        return text.Length > 160 ? text[..160] + "..." : text;
    }
}
