namespace Jarvis.Replication.Storage.Internal;

/// <summary>
/// The tables of a store file, version <see cref="Version"/> (kept in <c>PRAGMA user_version</c>).
/// Every table is <c>STRICT</c>, so SQLite itself refuses a value of the wrong type and
/// <c>PRAGMA integrity_check</c> reports one found on disk.
/// </summary>
internal static class StoreSchema
{
    /// <summary>The schema version this build writes and reads. A file with a higher one is refused.</summary>
    public const int Version = 1;

    /// <summary>The tables, in creation order. A golden test freezes this text.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        // The log: a rowid table keyed by sequence, so appends go to the right edge of the B-tree.
        "CREATE TABLE log (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT",

        // Checkpointed states, clustered by key: an upsert touches one B-tree, not a table and an index.
        "CREATE TABLE objects (key TEXT PRIMARY KEY, type TEXT NOT NULL, state BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT, WITHOUT ROWID",

        // At most one row: the sequence the checkpointed states cover.
        "CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), covered_seq INTEGER NOT NULL, checksum INTEGER NOT NULL) STRICT",

        "CREATE TABLE metadata (name TEXT PRIMARY KEY, value BLOB NOT NULL, checksum INTEGER NOT NULL) STRICT, WITHOUT ROWID",
    ];

    /// <summary>The table names, for checking that a file of this version has them all.</summary>
    public static readonly IReadOnlyList<string> TableNames = ["log", "objects", "checkpoint", "metadata"];
}
