namespace Jarvis.Replication.Storage;

/// <summary>Tuning for a <see cref="SqliteDurableStore"/>. Immutable once built; thread-safe.</summary>
public sealed class SqliteDurableStoreOptions
{
    /// <summary>The defaults: no size quota, a 16 MiB page cache.</summary>
    public static SqliteDurableStoreOptions Default { get; } = new();

    /// <summary>
    /// A quota on the database's size in bytes (SQLite's <c>max_page_count</c>; the write-ahead log is not
    /// counted). A write that would grow the database past it fails with <see cref="StorageFailure.Full"/>
    /// and stores nothing, as a full disk does. <see langword="null"/> (the default): no quota.
    /// </summary>
    public long? MaxDatabaseBytes { get; init; }

    /// <summary>
    /// The page cache of the store's connection, in bytes (SQLite's <c>cache_size</c>). Larger caches help
    /// checkpoints of many objects; the default is 16 MiB.
    /// </summary>
    public long PageCacheBytes { get; init; } = 16L * 1024 * 1024;
}
