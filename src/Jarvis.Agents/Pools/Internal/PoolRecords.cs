using System.Globalization;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Membership;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Reads the pools' records from the replica and writes this replica's own entries (layout: <see cref="PoolKeys"/>).
/// Holds no state: every answer is the replica's state now.
/// </summary>
internal sealed class PoolRecords
{
    public PoolRecords(ReplicaCore core)
    {
        Core = core;
        SelfKey = KeyOf(core.Id);
    }

    public ReplicaCore Core { get; }

    public ReplicaId Self => Core.Id;

    /// <summary>This replica's key in the per-replica maps.</summary>
    public string SelfKey { get; }

    /// <summary>Whether the replica accepts writes now: its clock is not skewed and it is neither leaving nor gone (removed or left).</summary>
    public bool CanWrite
        => !Core.ClockSkewed && !Core.IsLeaving && Core.Members.First(m => m.Id == Core.Id).Status == MemberStatus.Up;

    /// <summary>The names of the minted pools this replica knows of.</summary>
    public IEnumerable<string> Names => Core.Get<GSet<string>>(PoolKeys.Index)?.Elements ?? [];

    public static string KeyOf(ReplicaId replica) => replica.Value.ToString(CultureInfo.InvariantCulture);

    public static ReplicaId? ReplicaOf(string key) => PoolKeys.Parse(key) is { } value and > 0 ? new ReplicaId(value) : null;

    /// <summary>The capacity a minter defined, or null while this replica has not seen the pool minted.</summary>
    public ulong? CapacityOf(string name)
        => PoolKeys.Parse(Core.Get<LWWRegister<string>>(PoolKeys.Definition(name))?.GetValueOrDefault()) is { } capacity and > 0 and <= PoolKeys.MaxCapacity
            ? capacity
            : null;

    public BoundedCounter? Counter(string name) => Core.Get<BoundedCounter>(PoolKeys.Counter(name));

    /// <summary>Rights never pass the capacity (at most 2^62) in a state the counter accepts; the clamp only keeps the type narrow.</summary>
    public static ulong RightsOf(BoundedCounter? counter, ReplicaId replica)
        => counter is null ? 0 : (ulong)UInt128.Min(counter.RightsOf(replica), ulong.MaxValue);

    public ulong Free(string name) => Counter(name) is { } counter ? (ulong)UInt128.Min(counter.Value, ulong.MaxValue) : 0;

    public LWWMap<string, string>? Wants(string name) => Core.Get<LWWMap<string, string>>(PoolKeys.Wants(name));

    public ulong HeldHere(string name) => OwnEntry(PoolKeys.Held(name)) ?? 0;

    public ulong? PublishedDemand(string name) => OwnEntry(PoolKeys.Wants(name));

    /// <summary>Sets (or, for null, removes) this replica's entry of a per-replica map, later than the entry's last write.</summary>
    public void SetOwnEntry(ReplicaTransaction tx, string key, ulong? value)
        => SetOwnEntry(tx, key, value is { } units ? PoolKeys.Format(units) : null);

    /// <summary>Sets (or, for null, removes) this replica's entry of a per-replica map, later than the entry's last write.</summary>
    public void SetOwnEntry(ReplicaTransaction tx, string key, string? value)
    {
        var clock = Core.Clock;
        var self = Self;
        var selfKey = SelfKey;
        tx.Update<LWWMap<string, string>>(key, map =>
        {
            var timestamp = PoolTimestamps.After(clock, map.LatestTimestamp);
            return value is not null ? map.Set(self, timestamp, selfKey, value) : map.Remove(self, timestamp, selfKey);
        });
    }

    private ulong? OwnEntry(string key)
        => Core.Get<LWWMap<string, string>>(key) is { } map && map.TryGetValue(SelfKey, out var text) ? PoolKeys.Parse(text) : null;
}
