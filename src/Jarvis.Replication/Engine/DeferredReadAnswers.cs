using Jarvis.Crdt;

namespace Jarvis.Replication.Engine;

/// <summary>
/// Peers' quorum read requests this replica cannot answer yet: only durable state answers (a read that counts
/// this replica must not count what a crash here could undo), so a request for a key holding a change that is
/// not durable waits here until the key is durable, instead of being dropped and costing the reader its
/// timeout. A request asked again while it waits is kept once. At most <see cref="Limit"/> wait; beyond that a
/// request is dropped, and the reader, which asks again, is answered later.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class DeferredReadAnswers
{
    /// <summary>The most requests that wait at once.</summary>
    public const int Limit = 4_096;

    private readonly List<(ReplicaId From, long ReadId, string Key)> _waiting = [];

    /// <summary>The number of requests waiting.</summary>
    public int Count => _waiting.Count;

    /// <summary>Keeps a request until its key is durable (once, and while fewer than <see cref="Limit"/> wait).</summary>
    public void Defer(ReplicaId from, long readId, string key)
    {
        if (_waiting.Count < Limit && !_waiting.Contains((from, readId, key)))
        {
            _waiting.Add((from, readId, key));
        }
    }

    /// <summary>Answers, through <paramref name="answer"/>, and forgets every request whose key is now durable, oldest first.</summary>
    public void AnswerDurable(Func<string, bool> isDurable, Action<ReplicaId, long, string> answer)
    {
        if (_waiting.Count == 0)
        {
            return;
        }
        var due = _waiting.FindAll(w => isDurable(w.Key));
        if (due.Count == 0)
        {
            return;
        }
        _waiting.RemoveAll(w => isDurable(w.Key));
        foreach (var (from, readId, key) in due)
        {
            answer(from, readId, key);
        }
    }

    /// <summary>Forgets the requests of a peer that is gone.</summary>
    public void Forget(ReplicaId peer) => _waiting.RemoveAll(w => w.From == peer);
}
