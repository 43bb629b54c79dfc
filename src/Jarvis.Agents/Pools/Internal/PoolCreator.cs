using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Creates pools so that a capacity is minted at most once per name, whatever runs concurrently and wherever the
/// partitions fall. A creation writes its proposal into the name's proposal set at Majority, then reads the set
/// back at Majority, and mints (increments its own rights by the capacity, in one local write with the pool's
/// definition) only if it saw no other proposal.
/// </summary>
/// <remarks>
/// Why at most one of any two creations A and B mints: A's write quorum and B's read quorum share a replica m, and
/// B's write quorum and A's read quorum share a replica n. If neither saw the other, n answered A's read before
/// holding B's proposal, and m answered B's read before holding A's; but A's read starts after A's write was held
/// by m, and B's after B's was held by n, so m answered B after holding A's proposal — a contradiction. With every
/// pair, at most one creation sees no competitor. This is the write-then-read of a majority register (Attiya,
/// Bar-Noy, Dolev, <i>Sharing Memory Robustly in Message-Passing Systems</i>, 1995), and it relies on the core's
/// Majority meaning more than half of one stable membership.
/// </remarks>
internal sealed class PoolCreator(PoolRecords records, ResourcePoolOptions options, Action<PoolEvent> emit)
{
    private readonly PendingCreations _pending = new();

    public bool IsCreating(string name, out ulong capacity)
    {
        var creating = _pending.TryGet(name, out var creation);
        capacity = creating ? creation.Capacity : 0;
        return creating;
    }

    public IEnumerable<string> Creating => _pending.All.Select(c => c.Name);

    public long Create(string name, ulong capacity)
    {
        if (_pending.TryGet(name, out var inFlight))
        {
            return inFlight.Id;
        }
        var id = _pending.NextId();
        if (records.CapacityOf(name) is not null)
        {
            emit(new PoolCreationCompleted(id, name, capacity, PoolCreationOutcome.AlreadyExists));
            return id;
        }
        var core = records.Core;
        // The log sequence only grows, across restarts of a durable replica too, so no proposal is ever repeated.
        var proposal = $"{records.SelfKey}:{core.LastSequence + 1}:{PoolKeys.Format(capacity)}";
        var writeId = core.Write(tx => tx.Update<GSet<string>>(PoolKeys.Proposals(name), set => set.Add(proposal)), Consistency.Majority, options.CreationTimeoutMs);
        _pending.AwaitWrite(new PendingCreation(id, name, capacity, proposal), writeId);
        return id;
    }

    public void OnWriteCompleted(WriteCompleted completed)
    {
        if (_pending.TakeWrite(completed.WriteId) is not { } creation)
        {
            return;
        }
        switch (completed.Outcome)
        {
            case WriteOutcome.Acknowledged:
                _pending.AwaitRead(creation, records.Core.Read(PoolKeys.Proposals(creation.Name), Consistency.Majority, options.CreationTimeoutMs));
                break;
            case WriteOutcome.StorageFailed:
                Finish(creation, PoolCreationOutcome.StorageFailed);
                break;
            default:
                Finish(creation, PoolCreationOutcome.TimedOut);
                break;
        }
    }

    public void OnReadCompleted(ReadCompleted completed)
    {
        if (_pending.TakeRead(completed.ReadId) is not { } creation)
        {
            return;
        }
        if (completed.Outcome != ReadOutcome.Gathered)
        {
            Finish(creation, completed.Outcome == ReadOutcome.StorageFailed ? PoolCreationOutcome.StorageFailed : PoolCreationOutcome.TimedOut);
            return;
        }
        if (records.CapacityOf(creation.Name) is not null)
        {
            Finish(creation, PoolCreationOutcome.AlreadyExists);
            return;
        }
        var proposals = records.Core.Get<GSet<string>>(PoolKeys.Proposals(creation.Name));
        if (proposals is null || !proposals.Contains(creation.Proposal) || proposals.Count != 1)
        {
            Finish(creation, PoolCreationOutcome.Conflict);
            return;
        }
        Finish(creation, Mint(creation) ? PoolCreationOutcome.Created : PoolCreationOutcome.Refused);
    }

    /// <summary>The capacity as this replica's rights, the definition and the index entry: one local write.</summary>
    private bool Mint(PendingCreation creation)
    {
        if (!records.CanWrite)
        {
            return false;
        }
        var core = records.Core;
        var self = records.Self;
        var clock = core.Clock;
        core.Write(tx =>
        {
            tx.Update<BoundedCounter>(PoolKeys.Counter(creation.Name), counter => counter.Increment(self, creation.Capacity));
            tx.Update<LWWRegister<string>>(PoolKeys.Definition(creation.Name),
                register => register.Set(self, PoolTimestamps.After(clock, register.Timestamp), PoolKeys.Format(creation.Capacity)));
            tx.Update<GSet<string>>(PoolKeys.Index, index => index.Add(creation.Name));
        });
        return true;
    }

    private void Finish(PendingCreation creation, PoolCreationOutcome outcome)
    {
        _pending.Finish(creation);
        emit(new PoolCreationCompleted(creation.Id, creation.Name, creation.Capacity, outcome));
    }
}
