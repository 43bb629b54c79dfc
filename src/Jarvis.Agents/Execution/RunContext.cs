using Jarvis.Agents.Coordination;

namespace Jarvis.Agents.Execution;

/// <summary>
/// What an agent is handed for one run: the coordinator's <see cref="RunTicket"/> and a heartbeat. Thread-safe: an
/// agent may call <see cref="Heartbeat"/> from any thread, as often as it likes (heartbeats between two drains of the
/// runner collapse into one). Not called AgentRunContext: Microsoft.Agents.AI has a type of that name, and an agent
/// project often imports both namespaces.
/// </summary>
public sealed class RunContext
{
    private readonly Action<string?>? _heartbeat;

    /// <summary>Creates a context (the runner makes one per run; tests of an agent make their own).</summary>
    /// <param name="ticket">The run.</param>
    /// <param name="heartbeat">Called on every heartbeat with its progress text; null: heartbeats go nowhere.</param>
    public RunContext(RunTicket ticket, Action<string?>? heartbeat = null)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        Ticket = ticket;
        _heartbeat = heartbeat;
    }

    /// <summary>The run as the coordinator started it.</summary>
    public RunTicket Ticket { get; }

    /// <summary>The task's input.</summary>
    public string Input => Ticket.Input;

    /// <summary>The task.</summary>
    public string TaskId => Ticket.TaskId;

    /// <summary>1 for the first attempt.</summary>
    public int Attempt => Ticket.Attempt;

    /// <summary>The same for every run of the task: pass it to anything with effects so a repeated run does not repeat them.</summary>
    public string IdempotencyKey => Ticket.IdempotencyKey;

    /// <summary>The capabilities the task asked for.</summary>
    public IReadOnlyList<string> Capabilities => Ticket.Capabilities;

    /// <summary>The progress last given to <see cref="Heartbeat"/>, or null.</summary>
    public string? Progress => Volatile.Read(ref _progress);

    private string? _progress;

    /// <summary>
    /// Says the agent is alive, with optional progress text. In-process runs have their lease renewed by their node
    /// anyway; the heartbeat marks the run as seen and makes its progress visible.
    /// </summary>
    public void Heartbeat(string? progress = null)
    {
        if (progress is not null)
        {
            Volatile.Write(ref _progress, progress);
        }
        _heartbeat?.Invoke(progress);
    }
}
