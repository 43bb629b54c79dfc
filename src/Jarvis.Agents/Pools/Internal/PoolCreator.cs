using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// Creates pools so that a capacity is minted at most once per name, whatever runs concurrently and wherever the
/// partitions fall. A creation writes its proposal (this replica's entry of the name's proposals) at Majority, then
/// reads the proposals back at Majority, and mints (increments its own rights by the capacity, in one local write
/// with the pool's definition) only if every other replica's proposal it saw is withdrawn. A creation that ends
/// without minting withdraws its proposal, so that a later creation, here or elsewhere, can succeed.
/// </summary>
/// <remarks>
/// Why at most one of any two creations A and B mints: A's write quorum and B's read quorum share a replica m, and
/// B's write quorum and A's read quorum share a replica n. If neither saw the other, n answered A's read before
/// holding B's proposal, and m answered B's read before holding A's. But m held A's proposal before A's write
/// completed, hence before A's read began and n answered it; n held B's proposal after that and before B's read
/// began; so m answered B's read after holding A's proposal — a contradiction. Over every
/// pair, at most one creation sees no competitor. A withdrawn proposal is not a competitor: its creation ended
/// without minting and never mints. A replica's entry only ever shows its latest creation, and it writes a newer one
/// only after the older ended (one creation of a name at a time per replica), so an overwritten proposal is one
/// that can no longer mint either. A creation that timed out on a minority can therefore be retried, on any replica,
/// once its withdrawal has replicated. This is the write-then-read of a majority register (Attiya, Bar-Noy, Dolev, <i>Sharing Memory Robustly in
/// Message-Passing Systems</i>, 1995); it relies on the core's Majority meaning more than half of one stable
/// membership. One <see cref="ResourcePools"/> per replica.
/// </remarks>
internal sealed class PoolCreator(PoolRecords records, ResourcePoolOptions options, Action<PoolEvent> emit)
{
    private const string Withdrawn = ":withdrawn";

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
        var proposal = $"{core.LastSequence + 1}:{PoolKeys.Format(capacity)}";
        var writeId = core.Write(tx => records.SetOwnEntry(tx, PoolKeys.Proposals(name), proposal), Consistency.Majority, options.CreationTimeoutMs);
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
        var proposals = records.Core.Get<LWWMap<string, string>>(PoolKeys.Proposals(creation.Name));
        if (proposals is null || !proposals.TryGetValue(records.SelfKey, out var own) || own != creation.Proposal
            || proposals.Entries.Any(entry => entry.Key != records.SelfKey && !entry.Value.EndsWith(Withdrawn, StringComparison.Ordinal)))
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
        if (outcome != PoolCreationOutcome.Created && outcome != PoolCreationOutcome.AlreadyExists && records.CanWrite)
        {
            // Ended without minting, for good: withdrawn, the proposal no longer blocks a later creation.
            records.Core.Write(tx => records.SetOwnEntry(tx, PoolKeys.Proposals(creation.Name), creation.Proposal + Withdrawn));
        }
        emit(new PoolCreationCompleted(creation.Id, creation.Name, creation.Capacity, outcome));
    }
}
