namespace Jarvis.Replication.Storage;

/// <summary>
/// An <see cref="IDurableStore"/> in process memory, for the simulator and tests: the same semantics as the
/// embedded SQLite store (atomic calls, sequence and argument checks, checkpoints in key order, copies in
/// and out) without a file, plus injected failures (<see cref="FailNext"/>).
/// </summary>
/// <remarks>
/// <para>"Durable" for as long as the object lives: a simulated crash keeps the instance and hands it to the
/// restarted replica; <see cref="Dispose"/> ends it (later calls throw <see cref="StorageFailure.Closed"/>).</para>
/// <para>Byte arrays are copied on the way in and out, so a caller reusing its buffers cannot change what
/// is stored, and <see cref="Recover"/> returns new arrays each time, as a store reading a file does.
/// Checkpoints are recovered in key order by Unicode code point (the order of their UTF-8 bytes, which is
/// the SQLite store's order too), the log in sequence order.</para>
/// <para>Not thread-safe: one thread at a time.</para>
/// </remarks>
public sealed class InMemoryDurableStore : IDurableStore
{
    private readonly List<LogRecord> _log = [];
    private readonly SortedDictionary<string, ObjectCheckpoint> _objects = new(CodePointComparer.Instance);
    private readonly Dictionary<string, byte[]> _metadata = new(StringComparer.Ordinal);
    private long _checkpointSequence;
    private long _lastSequence;
    private bool _disposed;

    private StorageFailure _injectedFailure;
    private int _injectedCount;

    /// <summary>
    /// Makes the next <paramref name="count"/> calls of <see cref="Recover"/>, <see cref="Append"/>,
    /// <see cref="Checkpoint"/> or <see cref="SetMetadata"/> throw a <see cref="StorageException"/> of the
    /// given kind without storing anything, as a failing disk would. Replaces any failures still pending;
    /// a count of 0 cancels them. Calls with invalid arguments throw their <see cref="ArgumentException"/>
    /// first and do not use up an injected failure.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The failure kind is undefined or the count negative.</exception>
    public void FailNext(StorageFailure failure, int count = 1)
    {
        if (!Enum.IsDefined(failure))
        {
            throw new ArgumentOutOfRangeException(nameof(failure), failure, "Not a defined storage failure.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _injectedFailure = failure;
        _injectedCount = count;
    }

    /// <inheritdoc/>
    public RecoveredState Recover()
    {
        ThrowIfDisposed();
        ThrowIfInjected("Recovering");
        var checkpoints = _objects.Values.Select(s => s with { State = (byte[])s.State.Clone() }).ToList();
        var log = _log.Select(r => r with { Delta = (byte[])r.Delta.Clone() }).ToList();
        var metadata = _metadata.ToDictionary(p => p.Key, p => (byte[])p.Value.Clone(), StringComparer.Ordinal);
        return new RecoveredState(checkpoints, _checkpointSequence, log, metadata);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A record is null or malformed, or the sequences do not strictly ascend past the last one stored.</exception>
    public void Append(IReadOnlyList<LogRecord> records)
    {
        ThrowIfDisposed();
        var previous = DurableStoreArguments.CheckAppend(records, _lastSequence);
        if (records.Count == 0)
        {
            return;
        }
        ThrowIfInjected("Appending");
        foreach (var record in records)
        {
            _log.Add(record with { Delta = (byte[])record.Delta.Clone() });
        }
        _lastSequence = previous;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// States of the same key later in <paramref name="states"/> replace earlier ones. The covered sequence
    /// may pass the last appended one; the next append must pass it.
    /// </remarks>
    /// <exception cref="ArgumentException">A state is null or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coveredSequence"/> is below the current checkpoint's.</exception>
    public void Checkpoint(IReadOnlyList<ObjectCheckpoint> states, long coveredSequence)
    {
        ThrowIfDisposed();
        DurableStoreArguments.CheckCheckpoint(states, coveredSequence, _checkpointSequence);
        ThrowIfInjected("Checkpointing");
        foreach (var state in states)
        {
            _objects[state.Key] = state with { State = (byte[])state.State.Clone() };
        }

        // The log is in sequence order, so the covered records are a prefix.
        var covered = _log.FindIndex(r => r.Sequence > coveredSequence);
        _log.RemoveRange(0, covered < 0 ? _log.Count : covered);
        _checkpointSequence = coveredSequence;
        _lastSequence = Math.Max(_lastSequence, coveredSequence);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or not well-formed UTF-16.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void SetMetadata(string name, byte[] value)
    {
        ThrowIfDisposed();
        DurableStoreArguments.CheckMetadata(name, value);
        ThrowIfInjected($"Setting metadata '{name}'");
        _metadata[name] = (byte[])value.Clone();
    }

    /// <summary>Ends the store; later calls throw <see cref="StorageFailure.Closed"/>. Idempotent.</summary>
    public void Dispose() => _disposed = true;

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new StorageException(StorageFailure.Closed, "The in-memory store was disposed.");
        }
    }

    private void ThrowIfInjected(string operation)
    {
        if (_injectedCount == 0)
        {
            return;
        }
        _injectedCount--;
        throw new StorageException(_injectedFailure, $"{operation} failed: injected {_injectedFailure} failure.");
    }

    /// <summary>Orders strings by Unicode code point, which is the order of their UTF-8 bytes.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }
            var i = x.AsSpan().CommonPrefixLength(y);
            if (i == x.Length || i == y.Length)
            {
                return x.Length.CompareTo(y.Length);
            }
            return CodePointRank(x[i]).CompareTo(CodePointRank(y[i]));
        }

        // UTF-16 order differs from code point order only in that surrogates (code points above U+FFFF)
        // sort below U+E000..U+FFFF; moving the two ranges past each other fixes it. At the first differing
        // unit both strings share everything before, so comparing that unit alone suffices.
        private static int CodePointRank(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
