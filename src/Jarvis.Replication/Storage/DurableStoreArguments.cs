namespace Jarvis.Replication.Storage;

/// <summary>
/// The argument checks every <see cref="IDurableStore"/> makes before it writes anything, public so that
/// each implementation refuses exactly the same inputs with exactly the same exceptions.
/// </summary>
/// <remarks>
/// <para>An implementation calls the matching check first thing in <see cref="IDurableStore.Append"/>,
/// <see cref="IDurableStore.Checkpoint"/> and <see cref="IDurableStore.SetMetadata"/>, passing the sequences
/// it holds. A refused call throws an <see cref="ArgumentException"/> (a caller's bug, not a storage
/// failure) and the store must not have changed.</para>
/// <para>Keys, type names and metadata names must be well-formed UTF-16: a store keeping them as UTF-8
/// would turn a lone surrogate into U+FFFD, a different key.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class DurableStoreArguments
{
    /// <summary>Checks a batch for <see cref="IDurableStore.Append"/> and returns its last sequence.</summary>
    /// <param name="records">The batch, in the order it would be stored.</param>
    /// <param name="lastSequence">The highest sequence the store holds (or last covered by its checkpoint), 0 when empty.</param>
    /// <returns>The sequence of the batch's last record, or <paramref name="lastSequence"/> for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    /// <exception cref="ArgumentException">A record is null or malformed, or the sequences do not ascend past <paramref name="lastSequence"/>.</exception>
    public static long CheckAppend(IReadOnlyList<LogRecord> records, long lastSequence)
    {
        ArgumentNullException.ThrowIfNull(records);
        var previous = lastSequence;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"records[{i}] is null.", nameof(records));
            CheckText(record.Key, $"records[{i}].Key", nameof(records));
            CheckText(record.Type, $"records[{i}].Type", nameof(records));
            if (record.Delta is null)
            {
                throw new ArgumentException($"records[{i}].Delta is null.", nameof(records));
            }
            if (record.Sequence <= previous)
            {
                throw new ArgumentException(
                    $"records[{i}] has sequence {record.Sequence}, which does not ascend past {previous} "
                    + (i == 0 ? "(the last sequence stored)." : $"(records[{i - 1}])."),
                    nameof(records));
            }
            previous = record.Sequence;
        }
        return previous;
    }

    /// <summary>Checks the arguments of <see cref="IDurableStore.Checkpoint"/>.</summary>
    /// <param name="states">The object states to upsert.</param>
    /// <param name="coveredSequence">The sequence the new checkpoint covers.</param>
    /// <param name="checkpointSequence">The sequence the store's current checkpoint covers, 0 when it has none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="states"/> is null.</exception>
    /// <exception cref="ArgumentException">A state is null or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The covered sequence is below the current checkpoint's.</exception>
    public static void CheckCheckpoint(IReadOnlyList<ObjectCheckpoint> states, long coveredSequence, long checkpointSequence)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (coveredSequence < checkpointSequence)
        {
            throw new ArgumentOutOfRangeException(
                nameof(coveredSequence),
                coveredSequence,
                $"A checkpoint cannot move backwards: the store's checkpoint already covers sequence {checkpointSequence}.");
        }
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i] ?? throw new ArgumentException($"states[{i}] is null.", nameof(states));
            CheckText(state.Key, $"states[{i}].Key", nameof(states));
            CheckText(state.Type, $"states[{i}].Type", nameof(states));
            if (state.State is null)
            {
                throw new ArgumentException($"states[{i}].State is null.", nameof(states));
            }
        }
    }

    /// <summary>Checks the arguments of <see cref="IDurableStore.SetMetadata"/>.</summary>
    /// <param name="name">The metadata name.</param>
    /// <param name="value">The value to store.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or not well-formed UTF-16.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static void CheckMetadata(string name, byte[] value)
    {
        CheckText(name, nameof(name), nameof(name));
        ArgumentNullException.ThrowIfNull(value);
    }

    /// <summary>
    /// Keys, type names and metadata names must be non-null and well-formed UTF-16: stored as UTF-8, a lone
    /// surrogate would come back as U+FFFD, a different key.
    /// </summary>
    private static void CheckText(string text, string what, string parameterName)
    {
        if (text is null)
        {
            throw new ArgumentException($"{what} is null.", parameterName);
        }
        if (!IsWellFormedUtf16(text))
        {
            throw new ArgumentException($"{what} contains an unpaired surrogate, which cannot be stored as UTF-8.", parameterName);
        }
    }

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}
