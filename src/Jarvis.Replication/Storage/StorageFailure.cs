namespace Jarvis.Replication.Storage;

/// <summary>Why a durable store failed. Frozen: written to logs and metrics.</summary>
public enum StorageFailure
{
    /// <summary>An I/O error other than the ones below.</summary>
    Io = 1,

    /// <summary>The disk (or quota) is full; nothing of the failed write was acknowledged.</summary>
    Full = 2,

    /// <summary>Stored bytes fail their checksum or the file is malformed; nothing was loaded from them.</summary>
    Corrupt = 3,

    /// <summary>The store was disposed or is otherwise unusable.</summary>
    Closed = 4,
}
