using System.Text.Json.Serialization;

namespace Jarvis.Agents.Tasks;

/// <summary>Where a task is in its lifecycle: Pending → Assigned → Running → Succeeded | Failed | Cancelled | TimedOut.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskState>))]
public enum TaskState
{
    /// <summary>Waiting for an agent (or for its dependencies, its backoff, or a pool).</summary>
    Pending = 0,

    /// <summary>An exclusive claim is written and being confirmed; not running yet.</summary>
    Assigned = 1,

    /// <summary>A run holds a lease.</summary>
    Running = 2,

    /// <summary>A run returned a result within its lease.</summary>
    Succeeded = 3,

    /// <summary>Every attempt failed, or an attempt failed without retry.</summary>
    Failed = 4,

    /// <summary>Cancelled before it succeeded (by a user, or because a dependency failed).</summary>
    Cancelled = 5,

    /// <summary>Its deadline passed before it started, or its last attempt timed out.</summary>
    TimedOut = 6,
}

/// <summary>The states a task never leaves.</summary>
public static class TaskStates
{
    /// <summary>Succeeded, Failed, Cancelled or TimedOut.</summary>
    public static bool IsFinal(this TaskState state) => state >= TaskState.Succeeded;
}
