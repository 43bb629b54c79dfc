using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests;

/// <summary>The in-memory store's injected failures (its contract runs in <c>InMemoryDurableStoreContractTests</c>).</summary>
public sealed class InMemoryDurableStoreTests
{
    [Theory]
    [InlineData(StorageFailure.Io)]
    [InlineData(StorageFailure.Full)]
    [InlineData(StorageFailure.Corrupt)]
    [InlineData(StorageFailure.Closed)]
    public void An_injected_failure_is_thrown_by_the_next_calls_and_stores_nothing(StorageFailure failure)
    {
        using var store = new InMemoryDurableStore();
        store.Append(TestData.Batch(1, 2));
        store.SetMetadata("m", [1]);
        var before = store.Recover();

        store.FailNext(failure, count: 4);
        var outcomes = new List<string>();
        foreach (var (name, call) in new (string, Action)[]
        {
            ("Append", () => store.Append(TestData.Batch(3, 5))),
            ("Checkpoint", () => store.Checkpoint([TestData.State("a", 1)], 2)),
            ("SetMetadata", () => store.SetMetadata("m", [2])),
            ("Recover", () => store.Recover()),
        })
        {
            try
            {
                call();
                outcomes.Add($"{name} succeeded");
            }
            catch (StorageException e) when (e.Failure == failure)
            {
            }
        }

        Assert.Empty(outcomes);
        StoreAssert.StateEqual(before, store.Recover(), "injected failures store nothing, and the fifth call succeeds again");
        store.Append(TestData.Batch(3, 1));
        StoreAssert.LogEqual(TestData.Batch(1, 3), store.Recover().Log, "the store works normally once the failures are used up");
    }

    [Fact]
    public void A_count_of_zero_cancels_pending_failures()
    {
        using var store = new InMemoryDurableStore();
        store.FailNext(StorageFailure.Io, count: 3);

        store.FailNext(StorageFailure.Io, count: 0);
        store.Append(TestData.Batch(1, 1));

        Assert.Single(store.Recover().Log);
    }

    [Fact]
    public void Calls_with_invalid_arguments_do_not_use_up_an_injected_failure()
    {
        using var store = new InMemoryDurableStore();
        store.FailNext(StorageFailure.Full);

        Assert.Throws<ArgumentException>(() => store.Append([TestData.Record(0)]));
        var refusal = Assert.Throws<StorageException>(() => store.Append([TestData.Record(1)]));

        Assert.Equal(StorageFailure.Full, refusal.Failure);
    }

    [Fact]
    public void Undefined_failure_kinds_and_negative_counts_are_refused()
    {
        using var store = new InMemoryDurableStore();

        Assert.Throws<ArgumentOutOfRangeException>(() => store.FailNext((StorageFailure)0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.FailNext(StorageFailure.Io, -1));
    }
}
