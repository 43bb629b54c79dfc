namespace Jarvis.Replication.Storage;

/// <summary>The argument checks of <see cref="IDurableStore"/>, done before anything is written.</summary>
internal static class RecordValidation
{
    /// <summary>Checks a batch for <see cref="IDurableStore.Append"/> and returns its last sequence.</summary>
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
