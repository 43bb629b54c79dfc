namespace Jarvis.Replication.Storage.Tests.Contract;

/// <summary>The store contract, run on <see cref="InMemoryDurableStore"/>.</summary>
public sealed class InMemoryDurableStoreContractTests : DurableStoreContract
{
    protected override IDurableStore CreateStore() => new InMemoryDurableStore();

    protected override IDurableStore Restart(IDurableStore store) => store;

    protected override void ExpectSpaceToRunOut(IDurableStore store) => ((InMemoryDurableStore)store).FailNext(StorageFailure.Full);
}
