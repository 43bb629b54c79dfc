namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>The files of a store on disk: the database and its write-ahead log.</summary>
internal static class StoreFiles
{
    public const string Replica = "replica-1";

    public static string DatabasePath(string directory) => SqliteDurableStore.GetFilePath(directory, Replica);

    public static string WalPath(string directory) => DatabasePath(directory) + "-wal";

    public static long WalLength(string directory)
    {
        var wal = new FileInfo(WalPath(directory));
        return wal.Exists ? wal.Length : 0;
    }

    /// <summary>
    /// Copies the database and its log, as they are on disk right now, into <paramref name="target"/>: what a
    /// machine that lost power at this instant would find after reboot (everything written reached the disk).
    /// </summary>
    public static void Snapshot(string directory, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var path in new[] { DatabasePath(directory), WalPath(directory) })
        {
            if (File.Exists(path))
            {
                // FileShare.ReadWrite: the store still has the files open.
                using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = File.Create(Path.Combine(target, Path.GetFileName(path)));
                source.CopyTo(copy);
            }
        }
    }

    /// <summary>Opens the store in <paramref name="directory"/> and recovers it; a <see cref="StorageException"/> from either step is returned.</summary>
    public static (RecoveredState? State, StorageException? Failure) TryOpenAndRecover(string directory, SqliteDurableStoreOptions? options = null)
    {
        try
        {
            using var store = new SqliteDurableStore(directory, Replica, options);
            return (store.Recover(), null);
        }
        catch (StorageException e)
        {
            return (null, e);
        }
    }
}
