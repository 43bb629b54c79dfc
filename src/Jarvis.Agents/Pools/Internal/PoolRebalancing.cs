using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Membership;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Moves rights to where units are wanted. Each round (every <see cref="ResourcePoolOptions.RebalanceIntervalMs"/>)
/// this replica publishes the units it wants to hold in each pool (<see cref="PoolKeys.Wants"/>) and makes the
/// transfers <see cref="RightsRebalancer"/> gives it, all in one local write of at most
/// <see cref="ResourcePoolOptions.MaxUpdatesPerRound"/> updates; a round that runs out resumes with the next pool.
/// </summary>
internal sealed class PoolRebalancing(PoolRecords records, ResourcePoolOptions options)
{
    private readonly PoolDemand _demand = new();
    private long _now;
    private long? _nextRoundAt;
    private int _cursor;

    public ulong DemandOf(string name) => _demand.Of(name);

    public void Refused(string name, ulong units) => _demand.Note(name, units, _now);

    public void Took(string name, ulong units) => _demand.Consumed(name, units);

    public void Tick(long nowMs)
    {
        _now = Math.Max(_now, nowMs);
        _demand.Expire(_now, options.DemandLifetimeMs);
        if (_nextRoundAt is { } due && _now < due)
        {
            return;
        }
        _nextRoundAt = _now + options.RebalanceIntervalMs;
        if (!records.CanWrite)
        {
            return;
        }
        var names = records.Names.Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return;
        }
        var members = records.Core.Members.ToDictionary(m => m.Id, m => m.Status);
        var updates = new List<Action<ReplicaTransaction>>();
        var budget = options.MaxUpdatesPerRound;
        var start = _cursor % names.Count;
        for (var i = 0; i < names.Count; i++)
        {
            if (budget == 0)
            {
                _cursor = (start + i) % names.Count;
                break;
            }
            Plan(names[(start + i) % names.Count], members, updates, ref budget);
        }
        if (updates.Count > 0)
        {
            records.Core.Write(tx => updates.ForEach(update => update(tx)));
        }
    }

    private void Plan(string name, Dictionary<ReplicaId, MemberStatus> members, List<Action<ReplicaTransaction>> updates, ref int budget)
    {
        if (records.CapacityOf(name) is not { } capacity)
        {
            return;
        }
        var demand = Math.Min(_demand.Of(name), capacity);
        ulong? desired = demand > 0 ? demand : null;
        if (records.PublishedDemand(name) != desired)
        {
            var key = PoolKeys.Wants(name);
            updates.Add(tx => records.SetOwnEntry(tx, key, desired));
            budget--;
        }
        var counter = records.Counter(name);
        var self = records.Self;
        var rights = PoolRecords.RightsOf(counter, self);
        if (rights == 0 || budget == 0 || records.Wants(name) is not { Count: > 0 } wants)
        {
            return;
        }
        var standings = new List<ReplicaStanding> { new(self, rights, demand) };
        var listed = new HashSet<ReplicaId> { self };
        foreach (var (key, value) in wants.Entries)
        {
            // A Down or departed replica neither receives (its rights would be stranded) nor gives (it cannot).
            if (PoolRecords.ReplicaOf(key) is { } replica && listed.Add(replica) && members.TryGetValue(replica, out var status) && status is MemberStatus.Up or MemberStatus.Suspect)
            {
                standings.Add(new ReplicaStanding(replica, PoolRecords.RightsOf(counter, replica), Math.Min(PoolKeys.Parse(value) ?? 0, capacity)));
            }
        }
        foreach (var (replica, status) in members)
        {
            // Replicas that want nothing still give: list them so every donor plans with the same givers.
            if (status == MemberStatus.Up && listed.Add(replica))
            {
                standings.Add(new ReplicaStanding(replica, PoolRecords.RightsOf(counter, replica), 0));
            }
        }
        var counterKey = PoolKeys.Counter(name);
        foreach (var (to, amount) in RightsRebalancer.TransfersFrom(self, standings))
        {
            if (budget == 0)
            {
                return;
            }
            updates.Add(tx => tx.Update<BoundedCounter>(counterKey, c => c.Transfer(self, to, amount)));
            budget--;
        }
    }
}
