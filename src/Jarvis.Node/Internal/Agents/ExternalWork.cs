using Jarvis.Agents.Coordination;
using Jarvis.Agents.Tasks;

namespace Jarvis.Node.Internal.Agents;

/// <summary>
/// Runs of external agents waiting for their workers to poll (the coordinator emits <see cref="StartRun"/> for
/// them as for in-process agents; the node hands the ticket to the agent's next poll instead of running it).
/// </summary>
/// <remarks>
/// Used on the replica's loop, except a poll's waiter, which its HTTP request completes with null when it stops
/// waiting: whichever of the loop and the request completes it first wins, and a ticket the request did not take
/// goes back in the queue, so none is lost between a timeout and a start.
/// </remarks>
internal sealed class ExternalWork
{
    private readonly Dictionary<string, Queue<RunTicket>> _queued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<TaskCompletionSource<RunTicket?>>> _polls = new(StringComparer.Ordinal);

    /// <summary>Tickets not yet handed to a worker.</summary>
    public int Queued => _queued.Values.Sum(q => q.Count);

    /// <summary>Hands a run to a waiting poll of its agent, or queues it for the next one.</summary>
    public void Offer(RunTicket ticket)
    {
        if (_polls.TryGetValue(ticket.AgentId, out var waiting))
        {
            while (waiting.TryDequeue(out var poll))
            {
                if (poll.TrySetResult(ticket))
                {
                    return;
                }
            }
        }
        Queue(ticket.AgentId).Enqueue(ticket);
    }

    /// <summary>A run stopped by the coordinator before its worker took it: never handed out.</summary>
    public void Withdraw(RunId run)
    {
        foreach (var (agent, queue) in _queued)
        {
            if (queue.Any(t => t.Run == run))
            {
                _queued[agent] = new Queue<RunTicket>(queue.Where(t => t.Run != run));
                return;
            }
        }
    }

    /// <summary>A poll: completed with a queued ticket at once, or later by <see cref="Offer"/>, or with null by its request giving up.</summary>
    public TaskCompletionSource<RunTicket?> Poll(string agentId)
    {
        var poll = new TaskCompletionSource<RunTicket?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queued.TryGetValue(agentId, out var queue))
        {
            if (queue.TryDequeue(out var ticket))
            {
                poll.TrySetResult(ticket);
                return poll;
            }
        }
        if (!_polls.TryGetValue(agentId, out var waiting))
        {
            _polls[agentId] = waiting = new Queue<TaskCompletionSource<RunTicket?>>();
        }
        // Polls given up on are dropped here rather than by their requests, which are not on the loop.
        while (waiting.TryPeek(out var stale) && stale.Task.IsCompleted)
        {
            waiting.Dequeue();
        }
        waiting.Enqueue(poll);
        return poll;
    }

    private Queue<RunTicket> Queue(string agentId)
    {
        if (!_queued.TryGetValue(agentId, out var queue))
        {
            _queued[agentId] = queue = new Queue<RunTicket>();
        }
        return queue;
    }
}
