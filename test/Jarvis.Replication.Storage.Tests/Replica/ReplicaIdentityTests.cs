using Jarvis.Crdt;

namespace Jarvis.Replication.Storage.Tests.Replica;

/// <summary>One replica identity per storage lifetime, recorded in a real SQLite store.</summary>
public sealed class ReplicaIdentityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jarvis-identity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_new_store_mints_an_identity_and_a_restart_on_the_same_file_keeps_it()
    {
        ReplicaId first;
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            var recovered = store.Recover();
            Assert.False(ReplicaIdentity.TryRead(recovered, out _), "a new store records no identity");
            (first, var minted) = ReplicaIdentity.Establish(store, recovered, () => ReplicaId.NewRandom());
            Assert.True(minted);
        }
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            var (again, minted) = ReplicaIdentity.Establish(store, store.Recover(), () => throw new InvalidOperationException("a recorded identity is not minted again"));
            Assert.Equal(first, again);
            Assert.False(minted);
        }
    }

    [Fact]
    public void A_lost_data_folder_means_a_new_identity()
    {
        ReplicaId first;
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            (first, _) = ReplicaIdentity.Establish(store, store.Recover(), () => ReplicaId.NewRandom());
        }
        Directory.Delete(_folder, recursive: true);

        using var wiped = new SqliteDurableStore(_folder, "node-1");
        var (second, minted) = ReplicaIdentity.Establish(wiped, wiped.Recover(), () => ReplicaId.NewRandom());
        Assert.True(minted && second != first, "an empty folder under the same name is a new identity");
    }

    [Fact]
    public void A_spent_identity_is_never_used_again()
    {
        var first = new ReplicaId(0xA1);
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            ReplicaIdentity.Establish(store, store.Recover(), () => first);
            store.SetMetadata(ReplicaIdentity.MetadataName, new ReplicaIdentity(first, Spent: true).Encode());
        }
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            var recovered = store.Recover();
            Assert.True(ReplicaIdentity.TryRead(recovered, out var recorded) && recorded == new ReplicaIdentity(first, true));
            Assert.Throws<InvalidOperationException>(() => ReplicaIdentity.Establish(store, recovered, () => first));
            var (next, minted) = ReplicaIdentity.Establish(store, recovered, () => new ReplicaId(0xB2));
            Assert.True(minted);
            Assert.Equal(new ReplicaId(0xB2), next);
        }
        using (var store = new SqliteDurableStore(_folder, "node-1"))
        {
            Assert.Equal(new ReplicaId(0xB2), ReplicaIdentity.Establish(store, store.Recover(), () => ReplicaId.NewRandom()).Id);
        }
    }

    [Fact]
    public void A_malformed_record_is_reported_as_corrupt_not_replaced()
    {
        using var store = new InMemoryDurableStore();
        store.SetMetadata(ReplicaIdentity.MetadataName, [1, 2, 3]);
        var failure = Assert.Throws<StorageException>(() => ReplicaIdentity.Establish(store, store.Recover(), () => ReplicaId.NewRandom()));
        Assert.Equal(StorageFailure.Corrupt, failure.Failure);
        Assert.Equal(new byte[] { 1, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 1 }, new ReplicaIdentity(new ReplicaId(0x0123456789ABCDEF), Spent: true).Encode());
    }
}
