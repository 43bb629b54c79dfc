using Jarvis.Replication.Storage.Internal;

namespace Jarvis.Replication.Storage;

/// <content>The writing calls: each is one transaction, committed with one fsync.</content>
public sealed partial class SqliteDurableStore
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A record is null or malformed, or the sequences do not strictly ascend past the last one stored.</exception>
    public void Append(IReadOnlyList<LogRecord> records)
    {
        ThrowIfUnusable();
        var last = DurableStoreArguments.CheckAppend(records, _lastSequence);
        if (records.Count == 0)
        {
            return;
        }

        try
        {
            _statements.BeginWrite();
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                var checksum = _checksum.OfLogRecord(record.Sequence, record.Key, record.Type, record.Delta);
                _statements.InsertLog(record.Sequence, record.Key, record.Type, record.Delta, checksum);
            }
            _statements.Commit();
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            RollBackQuietly();
            throw Translate(e, $"Appending {records.Count} record(s), sequences {records[0].Sequence}..{last},");
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
        _lastSequence = last;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// States of the same key later in <paramref name="states"/> replace earlier ones. The covered sequence
    /// may pass the last appended one (the states then cover deltas that were never logged); the next
    /// append must pass it.
    /// </remarks>
    /// <exception cref="ArgumentException">A state is null or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coveredSequence"/> is below the current checkpoint's.</exception>
    public void Checkpoint(IReadOnlyList<ObjectCheckpoint> states, long coveredSequence)
    {
        ThrowIfUnusable();
        DurableStoreArguments.CheckCheckpoint(states, coveredSequence, _checkpointSequence);

        try
        {
            _statements.BeginWrite();
            for (var i = 0; i < states.Count; i++)
            {
                var state = states[i];
                _statements.UpsertObject(state.Key, state.Type, state.State, _checksum.OfObject(state.Key, state.Type, state.State));
            }
            _statements.DeleteLogThrough(coveredSequence);
            _statements.UpsertCheckpoint(coveredSequence, _checksum.OfCheckpoint(coveredSequence));
            _statements.Commit();
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            RollBackQuietly();
            throw Translate(e, $"Checkpointing {states.Count} object(s) through sequence {coveredSequence}");
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
        _checkpointSequence = coveredSequence;
        _lastSequence = Math.Max(_lastSequence, coveredSequence);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or not well-formed UTF-16.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void SetMetadata(string name, byte[] value)
    {
        ThrowIfUnusable();
        DurableStoreArguments.CheckMetadata(name, value);

        try
        {
            _statements.BeginWrite();
            _statements.UpsertMetadata(name, value, _checksum.OfMetadata(name, value));
            _statements.Commit();
        }
        catch (Exception e) when (FailureClassifier.IsWrapped(e))
        {
            RollBackQuietly();
            throw Translate(e, $"Setting metadata '{name}'");
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
    }
}
