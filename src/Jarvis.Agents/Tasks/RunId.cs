using System.Globalization;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tasks;

/// <summary>
/// One run of a task: the HLC time its start was written and the node that wrote it — unique, and ordered so that
/// of two runs of one attempt the earlier start wins everywhere.
/// </summary>
public readonly record struct RunId(HlcTimestamp Started, ReplicaId Node) : IComparable<RunId>
{
    /// <inheritdoc/>
    public int CompareTo(RunId other)
    {
        var byTime = Started.CompareTo(other.Started);
        return byTime != 0 ? byTime : Node.Value.CompareTo(other.Node.Value);
    }

    /// <summary>"wall.logical.node", as stored.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Started.WallTime}.{Started.Logical}.{Node.Value}");

    /// <summary>Reads <see cref="ToString"/>'s form.</summary>
    /// <exception cref="FormatException">Not that form.</exception>
    public static RunId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('.');
        if (parts.Length != 3
            || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var wall)
            || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var logical)
            || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var node))
        {
            throw new FormatException($"'{text}' is not a run id (wall.logical.node).");
        }
        return new RunId(new HlcTimestamp(wall, logical), new ReplicaId(node));
    }

    /// <summary>Compares by start time, then node.</summary>
    public static bool operator <(RunId left, RunId right) => left.CompareTo(right) < 0;

    /// <summary>Compares by start time, then node.</summary>
    public static bool operator >(RunId left, RunId right) => left.CompareTo(right) > 0;

    /// <summary>Compares by start time, then node.</summary>
    public static bool operator <=(RunId left, RunId right) => left.CompareTo(right) <= 0;

    /// <summary>Compares by start time, then node.</summary>
    public static bool operator >=(RunId left, RunId right) => left.CompareTo(right) >= 0;
}
