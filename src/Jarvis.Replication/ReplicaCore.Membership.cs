using Jarvis.Crdt;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication;

// Membership: SWIM-style gossip of member entries on heartbeats, φ-accrual failure detection, joining
// through seeds, and leaving. Removal of Down members is in ReplicaCore.Removal.cs.
public sealed partial class ReplicaCore
{
    private readonly Dictionary<ReplicaId, MemberEntry> _members = [];
    private readonly Dictionary<ReplicaId, PhiAccrualDetector> _detectors = [];
    private readonly Dictionary<ReplicaId, long> _suspectedAt = [];
    private readonly List<Rumor> _rumors = [];
    private readonly List<ReplicaId> _seeds = [];
    private readonly Dictionary<ReplicaId, long> _toldAt = [];
    private ulong _incarnation;
    private string _address = string.Empty;
    private bool _joining;
    private bool _leaving;
    private long _lastHeartbeatAt = long.MinValue / 2;
    private int _heartbeatRounds;

    /// <summary>Every member this replica knows of, itself included, with the status it believes.</summary>
    public IReadOnlyCollection<MemberEntry> Members
    {
        get
        {
            var all = new List<MemberEntry>(_members.Values) { Self };
            return all;
        }
    }

    private MemberEntry Self => _handedOff
        ? new(Id, MemberStatus.Left, _incarnation, _address, _leftDots)
        : _removed
            ? new(Id, MemberStatus.Left, _incarnation, _address, MemberEntry.UnknownDots)
            : new(Id, MemberStatus.Up, _incarnation, _address);

    /// <summary>
    /// Joins a cluster through seed members: this replica asks them, every heartbeat round, until one
    /// answers with the membership; the rest arrives by gossip. <paramref name="address"/> is what other
    /// members' drivers connect to (opaque to the core). A restarting member passes an incarnation higher
    /// than any it used before, so its return overrides the Down others may have recorded.
    /// </summary>
    public void Join(string address, IEnumerable<ReplicaId> seeds, ulong incarnation = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(seeds);
        _address = address;
        _incarnation = Math.Max(_incarnation, incarnation);
        _seeds.Clear();
        _seeds.AddRange(seeds.Where(s => s != Id && !s.IsNone));
        _joining = _seeds.Count > 0;
        Spread(Self);
    }

    /// <summary>
    /// Leaves the cluster for good. The replica accepts no more writes and keeps replicating until every
    /// peer has acknowledged everything it holds (so no acknowledged write leaves with it); then it
    /// announces Left, with the number of dots it made, and <see cref="CanStop"/> turns true a few
    /// heartbeats later. The others forget it, and retire it from causal metadata at the next quiet cut.
    /// A replica that rejoins must take a new identity. The hand-off begins with a state comparison with every
    /// peer: in a full mesh a replica does not relay deltas whose origin delivers them itself, so its
    /// acknowledged intervals alone do not prove a peer holds what it holds (the origin may yet lose its disk).
    /// </summary>
    public void Leave()
    {
        if (_leaving)
        {
            return;
        }
        _leaving = true;
        _peers.RequireStateFromAll();
    }

    /// <summary>
    /// Whether joining is under way: <see cref="Join"/> named seeds, and no member has yet answered with a
    /// membership that lists this replica. False before any join, after a join without seeds, and once admitted
    /// (a later <see cref="Join"/> with seeds starts joining again).
    /// </summary>
    public bool IsJoining => _joining;

    /// <summary>Whether <see cref="Leave"/> was called: the replica accepts no more writes.</summary>
    public bool IsLeaving => _leaving;

    /// <summary>
    /// Whether this replica has handed off and announced that it left: its identity is spent and must
    /// never be used again (a driver records that before it stops, so a restart takes a new one).
    /// </summary>
    public bool HasLeft => _handedOff;

    private bool IsDown(ReplicaId peer) => _members.TryGetValue(peer, out var entry) && entry.Status == MemberStatus.Down;

    private void Heard(ReplicaId from)
    {
        if (!_detectors.TryGetValue(from, out var detector))
        {
            detector = new PhiAccrualDetector(minDeviationMs: Math.Max(50, _options.HeartbeatIntervalMs / 2.0), firstIntervalMs: _options.HeartbeatIntervalMs);
            _detectors[from] = detector;
        }
        detector.Heard(_now);
    }

    private void EnsureMember(ReplicaId peer)
    {
        if (!_members.ContainsKey(peer))
        {
            _members[peer] = new MemberEntry(peer, MemberStatus.Up, 0, string.Empty);
        }
    }

    private void OnHeartbeat(ReplicaId from, Heartbeat heartbeat)
    {
        if (_members.TryGetValue(from, out var known) && heartbeat.Incarnation > known.Incarnation)
        {
            // A higher incarnation straight from the member is its own refutation.
            Merge(new MemberEntry(from, MemberStatus.Up, heartbeat.Incarnation, known.Address));
        }
        else if (known is { Status: MemberStatus.Suspect or MemberStatus.Down })
        {
            // It is alive and does not know what this replica believes: tell it, so it refutes at once rather
            // than at the next probe of the members believed down (every FullMembershipEveryRounds).
            Tell(known);
        }
        foreach (var entry in heartbeat.Gossip)
        {
            Merge(entry);
        }
        OnQuietRoot(from, heartbeat.QuietRoot);
        if (_joining && heartbeat.Gossip.Any(e => e.Id == Id))
        {
            _joining = false;
        }
    }

    private void OnJoinRequest(ReplicaId from, JoinRequest request)
    {
        if (request.Member.Id != from)
        {
            Emit(new ProtocolError(from, "a join request may only introduce its sender"));
            return;
        }
        Merge(request.Member);
        Emit(new SendMessage(from, new Heartbeat(_incarnation, [.. Members], WallTime: WallTime())));
    }

    /// <summary>Applies what is said about a member if it supersedes what this replica believes.</summary>
    private void Merge(MemberEntry entry)
    {
        if (entry.Id == Id)
        {
            if (entry.IsDeparted && !_handedOff)
            {
                // Someone removed this identity while it was Down to them: departure is terminal.
                OnRemoved();
                return;
            }
            if (!_handedOff && entry.Status is MemberStatus.Suspect or MemberStatus.Down && entry.Incarnation >= _incarnation && entry.Incarnation < ulong.MaxValue)
            {
                // Refute: only a member raises its own incarnation.
                _incarnation = entry.Incarnation + 1;
                Spread(Self);
            }
            return;
        }
        if (_members.TryGetValue(entry.Id, out var current) && !entry.Supersedes(current))
        {
            if (entry.Incarnation == current.Incarnation && current.Address.Length == 0 && entry.Address.Length > 0)
            {
                _members[entry.Id] = current with { Address = entry.Address };
                Emit(new MembershipChanged(_members[entry.Id]));
            }
            return;
        }
        var address = entry.Address.Length > 0 ? entry.Address : current?.Address ?? string.Empty;
        var updated = entry with { Address = address };
        _members[entry.Id] = updated;
        Apply(updated, current);
        Spread(updated);
    }

    private void Apply(MemberEntry entry, MemberEntry? previous)
    {
        switch (entry.Status)
        {
            case MemberStatus.Up:
                _suspectedAt.Remove(entry.Id);
                if (!_peers.TryGet(entry.Id, out var known))
                {
                    AddPeerCore(entry.Id);
                }
                else if (previous?.Status == MemberStatus.Down)
                {
                    // Back from Down: what it missed was released, so it catches up by state transfer.
                    known.NeedsState = true;
                }
                break;
            case MemberStatus.Suspect:
                _suspectedAt.TryAdd(entry.Id, _now);
                if (!_peers.Contains(entry.Id))
                {
                    AddPeerCore(entry.Id);
                }
                break;
            case MemberStatus.Down:
                _suspectedAt.Remove(entry.Id);
                if (_peers.TryGet(entry.Id, out var down))
                {
                    // Still counted for quorums (a partition must not shrink the majority), but no longer
                    // holding back the delta buffer.
                    down.NeedsState = true;
                    TrimBuffer();
                }
                break;
            case MemberStatus.Left or MemberStatus.Retired:
                _suspectedAt.Remove(entry.Id);
                _detectors.Remove(entry.Id);
                _quietRoots.Remove(entry.Id);
                _quietMismatches.Remove(entry.Id);
                RemovePeer(entry.Id);
                if (entry.Dots == MemberEntry.UnknownDots && previous?.IsDeparted != true)
                {
                    // Removed, not handed off: in a full mesh its deltas were not forwarded (it was to deliver them
                    // itself), so some may have reached only some members. Compare states with every peer.
                    _peers.RequireStateFromAll();
                }
                if (entry.Status == MemberStatus.Retired && _retired.Add(entry.Id))
                {
                    // Retired elsewhere at a quiet cut this replica was part of (or joined after): strip its
                    // stale dots from now on; this replica prunes at its own next cut.
                    _merkleDirty.UnionWith(_objects.Keys);
                }
                break;
        }
        Emit(new MembershipChanged(entry));
    }

    /// <summary>
    /// Tells a member what this replica believes of it (suspected, down, departed), at most once a heartbeat
    /// interval: it refutes a suspicion, or learns it was removed.
    /// </summary>
    private void Tell(MemberEntry belief)
    {
        if (_toldAt.TryGetValue(belief.Id, out var at) && _now - at < _options.HeartbeatIntervalMs)
        {
            return;
        }
        _toldAt[belief.Id] = _now;
        Emit(new SendMessage(belief.Id, new Heartbeat(_incarnation, [belief, Self], WallTime: WallTime())));
    }

    private void Spread(MemberEntry entry)
    {
        _rumors.RemoveAll(r => r.Entry.Id == entry.Id);
        var repeats = 3 * (int)Math.Ceiling(Math.Log2(_peers.Count + 2));
        _rumors.Add(new Rumor(entry, repeats));
    }

    /// <summary>Failure detection and heartbeats, once per heartbeat interval.</summary>
    private void MembershipRound()
    {
        if (_now - _lastHeartbeatAt < _options.HeartbeatIntervalMs)
        {
            return;
        }
        _lastHeartbeatAt = _now;
        _heartbeatRounds++;
        DetectFailures();
        ClockRound();
        RetirementRound();
        var quietRoot = QuietRoot();

        var gossip = _rumors.Select(r => r.Entry).Append(Self).DistinctBy(e => e.Id).ToArray();
        var targets = ChoosePeers().Where(p => !IsDown(p.Id)).Select(p => p.Id).ToList();
        if (_heartbeatRounds % Math.Max(1, _options.FullMembershipEveryRounds) == 0)
        {
            // Now and then the whole table to one peer, and a probe to members believed down, so a
            // healed partition is noticed even when nobody else sends to them.
            var all = _peers.Ids.ToArray();
            if (all.Length > 0)
            {
                Emit(new SendMessage(all[_random.Next(all.Length)], new Heartbeat(_incarnation, [.. Members], quietRoot, WallTime())));
            }
            targets.AddRange(_peers.Ids.Where(IsDown));
        }
        foreach (var target in targets)
        {
            if (!_detectors.ContainsKey(target))
            {
                // A member heartbeated every round heartbeats back: from now on its silence counts, even if it
                // never says anything (it died before its first message reached this replica).
                Heard(target);
            }
            Emit(new SendMessage(target, new Heartbeat(_incarnation, gossip, quietRoot, WallTime())));
        }
        if (_joining)
        {
            foreach (var seed in _seeds)
            {
                Emit(new SendMessage(seed, new JoinRequest(Self, WallTime())));
            }
        }
        for (var i = _rumors.Count - 1; i >= 0; i--)
        {
            if (--_rumors[i].Remaining <= 0)
            {
                _rumors.RemoveAt(i);
            }
        }
    }

    private void DetectFailures()
    {
        foreach (var (peer, entry) in _members.ToArray())
        {
            if (entry.Status == MemberStatus.Up && _detectors.TryGetValue(peer, out var detector) && detector.Phi(_now) > _options.PhiThreshold)
            {
                Merge(entry with { Status = MemberStatus.Suspect });
            }
            else if (entry.Status == MemberStatus.Suspect && _suspectedAt.TryGetValue(peer, out var since) && _now - since >= _options.SuspectTimeoutMs)
            {
                Merge(entry with { Status = MemberStatus.Down });
            }
        }
    }

    private sealed class Rumor(MemberEntry entry, int remaining)
    {
        public MemberEntry Entry { get; } = entry;

        public int Remaining { get; set; } = remaining;
    }
}
