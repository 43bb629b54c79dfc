namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// The creations this replica has in flight, found by the id given to the caller, by the pool name, and by the
/// write or read of the core they wait on.
/// </summary>
internal sealed class PendingCreations
{
    private readonly Dictionary<string, PendingCreation> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<long, PendingCreation> _byWrite = [];
    private readonly Dictionary<long, PendingCreation> _byRead = [];
    private long _lastId;

    public long NextId() => ++_lastId;

    public IEnumerable<PendingCreation> All => _byName.Values;

    public bool TryGet(string name, out PendingCreation creation) => _byName.TryGetValue(name, out creation!);

    public void AwaitWrite(PendingCreation creation, long writeId)
    {
        _byName[creation.Name] = creation;
        _byWrite[writeId] = creation;
    }

    public PendingCreation? TakeWrite(long writeId) => _byWrite.Remove(writeId, out var creation) ? creation : null;

    public void AwaitRead(PendingCreation creation, long readId) => _byRead[readId] = creation;

    public PendingCreation? TakeRead(long readId) => _byRead.Remove(readId, out var creation) ? creation : null;

    public void Finish(PendingCreation creation) => _byName.Remove(creation.Name);
}

/// <summary>One creation: its proposal ("sequence:capacity", this replica's entry) is written at Majority, then read back at Majority.</summary>
internal sealed record PendingCreation(long Id, string Name, ulong Capacity, string Proposal);
