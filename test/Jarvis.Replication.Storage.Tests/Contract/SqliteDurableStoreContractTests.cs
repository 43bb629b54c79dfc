using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Contract;

/// <summary>
/// The store contract, run on <see cref="SqliteDurableStore"/> with real files. Every store gets a 4 MiB
/// quota, room for everything the contract writes except the test that fills it on purpose.
/// </summary>
public sealed class SqliteDurableStoreContractTests : DurableStoreContract
{
    private static readonly SqliteDurableStoreOptions Options = new() { MaxDatabaseBytes = 4L * 1024 * 1024 };

    private readonly TempDirectory _directory = new();

    protected override IDurableStore CreateStore() => new SqliteDurableStore(_directory.Path, "replica-1", Options);

    protected override IDurableStore Restart(IDurableStore store)
    {
        store.Dispose();
        return CreateStore();
    }

    protected override void ExpectSpaceToRunOut(IDurableStore store)
    {
        // The quota does it: the test's appends reach 4 MiB within a few hundred batches.
    }

    protected override void DisposeFixture() => _directory.Dispose();
}
