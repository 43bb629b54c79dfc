using Jarvis.Agents.Pools.Internal;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Pools;

/// <summary>
/// Named pools of units (GPU slots, an LLM token budget, ...) on the replicated store, taken and given back inside
/// the caller's transactions, never oversubscribed in any interleaving, partitions included. Each pool is an escrow
/// counter (<see cref="BoundedCounter"/>; Balegas et al., <i>Extending Eventually Consistent Cloud Databases for
/// Enforcing Numeric Invariants</i>, 2015): its free units are spread over the replicas as rights, a replica takes
/// only units it holds rights for, and rights move between replicas by transfers from their holder.
/// </summary>
/// <remarks>
/// <para>Guarantees, at every replica at every moment: free units are between 0 and the capacity, so units in use
/// are too. A replica takes only within its rights (never below zero, by the counter's bound), and gives back only
/// what it took and has not given back (its own ledger entry), shipping the counter's whole state with each give so
/// that no replica sees a give before the take it returns (which would read above the capacity). A capacity is
/// minted at most once per name (<see cref="Create"/>).</para>
/// <para>Sans-I/O: the host forwards every output of the replica to <see cref="Observe"/>, calls <see cref="Tick"/>
/// with its clock, and takes <see cref="TakeOutputs"/>. Writes go through the <see cref="ReplicaCore"/> given, whose
/// outputs the host handles as usual. Not thread-safe: use it from the thread (or under the lock) that drives the
/// replica. Key layout and limits: docs/agents.md, "Resource pools".</para>
/// </remarks>
public sealed class ResourcePools : Coordination.IPoolLedger
{
    private readonly PoolRecords _records;
    private readonly PoolCreator _creator;
    private readonly PoolRebalancing _rebalancing;
    private readonly List<PoolEvent> _events = [];
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    /// <summary>Creates the pools of one replica.</summary>
    /// <param name="core">The replica the pools live in.</param>
    /// <param name="options">Tuning; the defaults suit a node.</param>
    public ResourcePools(ReplicaCore core, ResourcePoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(core);
        options ??= new ResourcePoolOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.RebalanceIntervalMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxUpdatesPerRound, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DemandLifetimeMs, nameof(options));
        _records = new PoolRecords(core);
        _creator = new PoolCreator(_records, options, _events.Add);
        _rebalancing = new PoolRebalancing(_records, options);
    }

    /// <summary>Every pool this replica knows: the minted ones by name, then the ones it is creating.</summary>
    public IEnumerable<PoolView> All
        => _records.Names.Order(StringComparer.Ordinal)
            .Concat(_creator.Creating.Where(name => _records.CapacityOf(name) is null).Order(StringComparer.Ordinal))
            .Select(name => Get(name)!);

    /// <summary>
    /// Starts creating a pool of <paramref name="capacity"/> units. The outcome arrives as a
    /// <see cref="PoolCreationCompleted"/> with the returned id (at once in the next <see cref="TakeOutputs"/> when
    /// the pool exists already). Safe under concurrency: of any creations of one name, on any sides of any
    /// partitions, at most one mints its capacity — the proposal is written at Majority, read back at Majority,
    /// and minted only by a creation that saw no other replica's proposal still able to mint. A minority side times
    /// out and mints nothing; a creation that does not mint withdraws its proposal, so the name can be created later.
    /// </summary>
    /// <returns>The creation's id; a creation of the name already in flight here returns its id.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 128 characters, or holds '/' or a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is 0 or above 2^62.</exception>
    /// <exception cref="ClockSkewedException">The replica refuses writes (its clock is skewed); nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The replica accepts no writes (leaving or removed), or a transaction is open.</exception>
    public long Create(string name, ulong capacity)
    {
        PoolKeys.ValidateName(name, nameof(name));
        PoolKeys.ValidateCapacity(capacity, nameof(capacity));
        return _creator.Create(name, capacity);
    }

    /// <summary>Forwards one output of the replica (every output may be passed; the ones not about pools are ignored).</summary>
    public void Observe(ReplicaOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (output)
        {
            case WriteCompleted write:
                _creator.OnWriteCompleted(write);
                break;
            case ReadCompleted read:
                _creator.OnReadCompleted(read);
                break;
            case ObjectChanged changed when PoolKeys.PoolOf(changed.Key) is { } name && _records.CapacityOf(name) is not null && _changed.Add(name):
                _events.Add(new PoolChanged(name));
                break;
        }
    }

    /// <summary>Takes the events produced so far, in order.</summary>
    public IReadOnlyList<PoolEvent> TakeOutputs()
    {
        if (_events.Count == 0)
        {
            return [];
        }
        var taken = _events.ToArray();
        _events.Clear();
        _changed.Clear();
        return taken;
    }

    /// <summary>
    /// Takes <paramref name="units"/> from a pool inside the caller's transaction, so that whatever else the
    /// transaction writes (a task's claim) and the units it takes are one write. Succeeds only within the rights
    /// this replica holds now; otherwise nothing changes and the units are remembered as this replica's demand,
    /// which the next rebalancing rounds publish so that replicas holding idle rights hand them over.
    /// </summary>
    /// <param name="tx">A transaction of this replica's core.</param>
    /// <param name="name">The pool.</param>
    /// <param name="units">1 to the pool's capacity.</param>
    /// <returns>Whether the units were taken; false as well while this replica has not seen the pool minted.</returns>
    /// <exception cref="ArgumentException">The name is not a valid pool name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The units are 0 or more than the pool's capacity.</exception>
    public bool TryTake(ReplicaTransaction tx, string name, ulong units)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (!Available(name, units))
        {
            return false;
        }
        var self = _records.Self;
        // The decrement first: should the ledger's update fail, units are lost to the pool, never created.
        tx.Update<BoundedCounter>(PoolKeys.Counter(name), c => c.Decrement(self, units));
        _records.SetOwnEntry(tx, PoolKeys.Held(name), _records.HeldHere(name) + units);
        _rebalancing.Took(name, units);
        return true;
    }

    /// <summary>
    /// Gives back <paramref name="units"/> taken on this replica, inside the caller's transaction: they become this
    /// replica's rights again. Units are given back by the replica that took them.
    /// </summary>
    /// <param name="tx">A transaction of this replica's core.</param>
    /// <param name="name">The pool.</param>
    /// <param name="units">1 to the units taken here and not given back yet.</param>
    /// <exception cref="ArgumentException">The name is not a valid pool name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The units are 0.</exception>
    /// <exception cref="InvalidOperationException">This replica holds fewer units of the pool (it took fewer, or gave them back already), or does not know the pool; nothing changed.</exception>
    public void Give(ReplicaTransaction tx, string name, ulong units)
    {
        ArgumentNullException.ThrowIfNull(tx);
        PoolKeys.ValidateName(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfZero(units);
        var held = _records.HeldHere(name);
        if (_records.CapacityOf(name) is null || units > held)
        {
            throw new InvalidOperationException($"Pool '{name}': this replica holds {held} units taken and not given back, fewer than the {units} given.");
        }
        var self = _records.Self;
        // The ledger first: should the increment fail, units are lost to the pool, never created.
        _records.SetOwnEntry(tx, PoolKeys.Held(name), held - units);
        tx.Update<BoundedCounter>(PoolKeys.Counter(name), counter =>
        {
            counter.Increment(self, units);
            // The whole state, as a spending ships it: a replica must not see this give without the take it returns.
            return counter.Clone();
        });
    }

    /// <summary>
    /// Hands every right this replica holds, in every pool it knows, to <paramref name="to"/>, inside the caller's
    /// transaction: for a replica about to leave the cluster for good (call it, then <see cref="ReplicaCore.Leave"/>),
    /// whose rights would otherwise leave with it. Units it still holds (taken, not given back) stay held: give them
    /// back first. Safe at any time, like every transfer: only rights this replica holds move.
    /// </summary>
    /// <returns>The rights handed over, summed over the pools.</returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is this replica or no replica.</exception>
    public ulong HandOff(ReplicaTransaction tx, ReplicaId to)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var self = _records.Self;
        if (to.IsNone || to == self)
        {
            throw new ArgumentException("Rights are handed to another replica.", nameof(to));
        }
        var total = 0UL;
        foreach (var name in _records.Names.Order(StringComparer.Ordinal).ToList())
        {
            var rights = PoolRecords.RightsOf(_records.Counter(name), self);
            if (rights > 0)
            {
                tx.Update<BoundedCounter>(PoolKeys.Counter(name), counter => counter.Transfer(self, to, rights));
                total += rights;
            }
        }
        return total;
    }

    /// <summary>
    /// Whether <see cref="TryTake"/> would take <paramref name="units"/> now. Writes nothing; when it answers false,
    /// the units are remembered as demand, as a refused take's are.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid pool name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The units are 0 or more than the pool's capacity.</exception>
    public bool CanTake(string name, ulong units) => Available(name, units);

    /// <inheritdoc/>
    public bool HasFree(string name, ulong units) => Get(name) is { State: PoolState.Active } pool && pool.Free >= units;

    /// <summary>
    /// Moves time forward. Every rebalancing interval: publishes this replica's unmet demand and hands rights it
    /// holds beyond its own demand to replicas that asked (bounded work per call; docs/agents.md).
    /// </summary>
    public void Tick(long nowMs) => _rebalancing.Tick(nowMs);

    /// <summary>A pool as this replica sees it, or null when it neither knows the pool nor is creating it.</summary>
    /// <exception cref="ArgumentException">The name is not a valid pool name.</exception>
    public PoolView? Get(string name)
    {
        PoolKeys.ValidateName(name, nameof(name));
        if (_records.CapacityOf(name) is { } capacity)
        {
            var counter = _records.Counter(name);
            return new PoolView(name, capacity, _records.Free(name), PoolRecords.RightsOf(counter, _records.Self),
                _records.HeldHere(name), _rebalancing.DemandOf(name), PoolState.Active);
        }
        return _creator.IsCreating(name, out var asked) ? new PoolView(name, asked, 0, 0, 0, 0, PoolState.Creating) : null;
    }

    private bool Available(string name, ulong units)
    {
        PoolKeys.ValidateName(name, nameof(name));
        if (_records.CapacityOf(name) is not { } capacity)
        {
            ArgumentOutOfRangeException.ThrowIfZero(units);
            return false;
        }
        PoolKeys.ValidateUnits(units, capacity, nameof(units));
        if (PoolRecords.RightsOf(_records.Counter(name), _records.Self) >= units)
        {
            return true;
        }
        _rebalancing.Refused(name, units);
        return false;
    }
}
