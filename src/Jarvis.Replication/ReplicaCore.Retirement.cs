using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Storage;

namespace Jarvis.Replication;

// Retiring departed replicas from causal metadata. A replica that leaves hands off first (every peer has
// acknowledged everything it holds), then announces Left with the number of dots it ever made. Forgetting
// its context entries is safe only at a point where every live member holds every one of those dots and
// every removal of them, and no message still in flight can bring one back. The replicas find such a
// point — a quiet cut — without a coordinator: while a replica is quiet (everything durable, every delta
// acknowledged, no transfer or read under way) its heartbeats carry its state digest; when every live
// member's latest quiet digest equals this replica's own, everyone holds the same state. Digests are
// normalised (a departed member's entry counts only where it still has live dots), so a replica that has
// already pruned and one that has not yet agree. At the cut, a replica forgets the departed member in
// every object where none of its dots is live, marks it Retired, and from then on strips that member's
// dots from anything it receives into an object that no longer mentions it (only a stale copy can carry
// them, and they are all removed dots). Entries that still have live dots stay until a later cut finds
// them dead. See docs/replication.md, "Leaving, and retiring departed replicas".
public sealed partial class ReplicaCore
{
    /// <summary>The reserved key under which a replica checkpoints the members it has retired.</summary>
    internal const string RetiredKey = "$jarvis/retired";

    private const string RetiredType = "jarvis.retired";

    private readonly HashSet<ReplicaId> _retired = [];
    private readonly HashSet<ReplicaId> _complete = [];
    private readonly Dictionary<ReplicaId, (UInt128 Root, long At)> _quietRoots = [];
    private readonly Dictionary<ReplicaId, (UInt128 Theirs, UInt128 Mine)> _quietMismatches = [];
    private long _completenessCheckedAt = -1;
    private bool _handedOff;
    private long _leftAt;
    private ulong _leftDots;

    /// <summary>Departed members whose dots this replica has retired from causal metadata.</summary>
    public IReadOnlyCollection<ReplicaId> RetiredMembers => _retired;

    /// <summary>
    /// Whether a replica that called <see cref="Leave"/> has handed off everything it holds and announced
    /// its departure for long enough (at once when it has no peer to tell): its driver may now stop it for good.
    /// </summary>
    public bool CanStop => _handedOff && (_peers.Count == 0 || _now - _leftAt >= 4 * _options.HeartbeatIntervalMs);

    /// <summary>
    /// The departed members this replica still mentions in an object's causal context although none of
    /// their dots is live there: what a later quiet cut will prune. Empty once retirement is complete.
    /// </summary>
    internal IReadOnlyCollection<string> KeysWithRetirableMetadata()
    {
        // A removed member's count of dots is unknown: it is never retired, so its entries are not retirable.
        var departed = Departed().Where(m => _members[m].Dots != MemberEntry.UnknownDots).ToList();
        var keys = new List<string>();
        if (departed.Count == 0)
        {
            return keys;
        }
        foreach (var (key, stored) in _objects)
        {
            if (stored.State is IPrunable prunable && departed.Any(r => prunable.Context.IndexOf(r) >= 0 && !prunable.HoldsDotsOf(r)))
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    /// <summary>Why retirement has or has not happened here, for a failing simulation's report.</summary>
    internal string DescribeRetirement()
    {
        var busyPeers = _peers.All
            .Where(p => p.NeedsState || !p.Transfers.IsIdle || p.PendingKeys is not null || p.Comparison is not null)
            .Select(p => $"{p.Id}:{(p.NeedsState ? "needs-state " : "")}{(p.Transfers.Outgoing is not null ? "transfer " : "")}{(p.Transfers.Incoming is not null ? "incoming " : "")}"
                + $"{(p.PendingKeys is { } pending ? $"pending-keys({pending.Keys.Count}) " : "")}{(p.Comparison is not null ? "comparison " : "")}{(p.Transfers.PartsHeld > 0 ? $"parts({p.Transfers.PartsHeld})" : "")}".TrimEnd());
        var reports = _quietRoots.Select(kv => $"{kv.Key}@{kv.Value.At}{(kv.Value.Root == StateDigest ? "=" : "≠")}");
        return $"leaving {_leaving}, handed off {_handedOff}, quiet {IsQuiet()} (undurable {_log.LastApplied - _log.Durable}, buffer {_buffer.Count}, reads {_reads.Count}, busy peers [{string.Join(",", busyPeers)}]), "
            + $"complete [{string.Join(",", _complete)}], retired [{string.Join(",", _retired)}], quiet reports [{string.Join(",", reports)}] at {_now}";
    }

    private bool IsQuiet()
        => _log.IsAllDurable
            && _buffer.Count == 0
            && _reads.Count == 0
            && _peers.AllSettled;

    /// <summary>Whether a member has left for good (its identity is never used again).</summary>
    private bool HasDeparted(ReplicaId member)
        => _members.TryGetValue(member, out var entry) && entry.Status is MemberStatus.Left or MemberStatus.Retired;

    /// <summary>Every member known to have left (or been retired), with the number of dots it made.</summary>
    private List<ReplicaId> Departed()
        => [.. _members.Values.Where(m => m.Status is MemberStatus.Left or MemberStatus.Retired).Select(m => m.Id)];

    /// <summary>The departed members whose dead entries are left out of digests: those this replica holds completely, and the retired.</summary>
    private bool Normalises(ReplicaId member) => _retired.Contains(member) || _complete.Contains(member);

    /// <summary>Called every heartbeat round: hand-off of a leaving replica, completeness of departed members, and the quiet cut.</summary>
    private void RetirementRound()
    {
        if (_leaving && !_handedOff && HandedOff())
        {
            _handedOff = true;
            _leftAt = _now;
            _leftDots = 0;
            foreach (var stored in _objects.Values)
            {
                if (stored.State is IPrunable prunable)
                {
                    _leftDots += prunable.Context.CountOf(Id);
                }
            }
            Spread(Self);
        }
        if (_leaving)
        {
            return;
        }
        CheckCompleteness();
        TryQuietCut();
    }

    /// <summary>
    /// Whether every peer this replica replicates to (all of them in a full mesh, its view beyond) has
    /// acknowledged everything it holds, durably: it can leave without taking a write with it, and
    /// anti-entropy carries the rest to everyone.
    /// </summary>
    private bool HandedOff()
    {
        if (!_log.IsAllDurable)
        {
            return false;
        }
        if (_peers.Count == 0)
        {
            return true;
        }
        var targets = ChoosePeers().Where(p => !IsDown(p.Id)).ToList();
        return targets.Count > 0 && targets.All(p => p.Acked > _log.LastApplied && !p.NeedsState && p.Transfers.Outgoing is null);
    }

    private void CheckCompleteness()
    {
        var candidates = _members.Values.Where(m => m.Status == MemberStatus.Left && m.Dots != MemberEntry.UnknownDots && !_complete.Contains(m.Id) && !_retired.Contains(m.Id)).ToList();
        if (candidates.Count == 0 || _completenessCheckedAt == _log.LastApplied)
        {
            return;
        }
        _completenessCheckedAt = _log.LastApplied;
        var counts = new ulong[candidates.Count];
        foreach (var stored in _objects.Values)
        {
            if (stored.State is not IPrunable prunable)
            {
                continue;
            }
            for (var i = 0; i < candidates.Count; i++)
            {
                counts[i] += prunable.Context.CountOf(candidates[i].Id);
            }
        }
        var changed = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            // A departed member's dots only ever come from it, and it made exactly this many.
            if (counts[i] == candidates[i].Dots)
            {
                _complete.Add(candidates[i].Id);
                changed = true;
            }
        }
        if (changed)
        {
            _merkleDirty.UnionWith(_objects.Keys);
        }
    }

    private void TryQuietCut()
    {
        var pending = Departed().Where(Normalises).ToList();
        if (pending.Count == 0 || !IsQuiet())
        {
            return;
        }
        var root = StateDigest;
        var freshness = 3 * _options.HeartbeatIntervalMs;
        foreach (var member in _members.Values)
        {
            if (member.Status is MemberStatus.Left or MemberStatus.Retired)
            {
                continue;
            }
            // Every live member — a suspected or down one included — must have reported the same quiet state.
            if (!_quietRoots.TryGetValue(member.Id, out var report) || report.Root != root || _now - report.At > freshness)
            {
                return;
            }
        }
        var pruned = false;
        foreach (var departed in pending)
        {
            foreach (var (key, stored) in _objects)
            {
                if (stored.State is IPrunable prunable && prunable.Context.IndexOf(departed) >= 0 && !prunable.HoldsDotsOf(departed))
                {
                    prunable.Forget(departed);
                    _log.MarkDirty(key);
                    pruned = true;
                }
            }
            if (_retired.Add(departed))
            {
                pruned = true;
                var entry = _members[departed];
                Merge(entry with { Status = MemberStatus.Retired });
            }
        }
        if (pruned && _options.Durable)
        {
            // The pruned states and the retired list become durable together, in one checkpoint.
            Checkpoint();
        }
    }

    private void OnQuietRoot(ReplicaId from, UInt128? root)
    {
        if (root is { } value)
        {
            _quietRoots[from] = (value, _now);
            CompareQuietRoots(from, value);
        }
        else
        {
            _quietRoots.Remove(from);
            _quietMismatches.Remove(from);
        }
    }

    /// <summary>
    /// The safety net of anti-entropy: two quiet replicas (nothing unacknowledged, nothing in transfer)
    /// whose digests differ on two heartbeats in a row hold something that deltas did not carry across
    /// — a text insert waiting for a tombstone that a concurrent key removal dropped on one side, say.
    /// They compare Merkle trees and ship the keys that differ, as after a partition.
    /// </summary>
    private void CompareQuietRoots(ReplicaId from, UInt128 theirs)
    {
        if (QuietRoot() is not { } mine || mine == theirs)
        {
            _quietMismatches.Remove(from);
            return;
        }
        if (_quietMismatches.TryGetValue(from, out var seen) && seen == (theirs, mine)
            && _peers.TryGet(from, out var peer) && !IsDown(from))
        {
            _quietMismatches.Remove(from);
            peer.NeedsState = true;
            return;
        }
        _quietMismatches[from] = (theirs, mine);
    }

    /// <summary>What a heartbeat says of this replica's state: its digest while quiet, otherwise nothing.</summary>
    private UInt128? QuietRoot() => !_leaving && IsQuiet() ? StateDigest : null;

    /// <summary>The bytes an object contributes to the digest: its encoding, without dead entries of departed members it normalises.</summary>
    private byte[] DigestBytes(StoredObject stored)
    {
        if (stored.State is IPrunable prunable && (_retired.Count > 0 || _complete.Count > 0))
        {
            object? copy = null;
            foreach (var member in _retired.Union(_complete))
            {
                if (prunable.Context.IndexOf(member) >= 0 && !prunable.HoldsDotsOf(member))
                {
                    copy ??= stored.Handler.Clone(stored.State);
                    ((IPrunable)copy).Forget(member);
                }
            }
            if (copy is not null)
            {
                return stored.Handler.Encode(copy);
            }
        }
        return stored.Handler.Encode(stored.State);
    }

    /// <summary>
    /// Removes a retired member's dots from a received state bound for an object that no longer mentions
    /// that member: they were all removed before it was retired, and only a stale copy still carries them.
    /// </summary>
    /// <returns>Whether anything was stripped.</returns>
    private bool StripRetired(string key, object received)
    {
        if (_retired.Count == 0 || received is not IPrunable incoming || !_objects.TryGetValue(key, out var local) || local.State is not IPrunable held)
        {
            return false;
        }
        var stripped = false;
        foreach (var member in _retired)
        {
            if (held.Context.IndexOf(member) < 0 && incoming.Context.IndexOf(member) >= 0)
            {
                stripped |= incoming.Forget(member);
            }
        }
        return stripped;
    }

    private ObjectCheckpoint RetiredCheckpoint()
    {
        var writer = new CrdtWriter();
        writer.WriteLength(_retired.Count);
        foreach (var member in _retired.Order())
        {
            writer.WriteVarUInt(member.Value);
        }
        return new ObjectCheckpoint(RetiredKey, RetiredType, writer.ToArray());
    }

    private void RestoreRetired(ObjectCheckpoint checkpoint)
    {
        if (checkpoint.Type != RetiredType)
        {
            throw new InvalidOperationException($"The reserved key '{RetiredKey}' holds {checkpoint.Type}, not {RetiredType}.");
        }
        var reader = new CrdtReader(checkpoint.State);
        var count = reader.ReadCount(minBytesPerItem: 1);
        for (var i = 0; i < count; i++)
        {
            _retired.Add(new ReplicaId(reader.ReadNonZeroVarUInt()));
        }
    }
}
