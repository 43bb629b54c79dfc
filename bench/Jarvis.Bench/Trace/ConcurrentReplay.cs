using Jarvis.Crdt;

namespace Jarvis.Bench.Trace;

/// <summary>
/// Replays a concurrent trace with one <see cref="FugueText"/> replica per agent (agent <c>a</c> is
/// <c>new ReplicaId(a + 1)</c>). In index order, transaction <c>t</c> of agent <c>a</c> is made at replica
/// <c>a</c>: first every transaction in <c>t</c>'s history (its parents, transitively) that the replica does not
/// hold is joined into it, ancestors first, as the delta that transaction produced; then <c>t</c>'s patches are
/// applied in order with <see cref="FugueText.Delete"/> and <see cref="FugueText.Insert"/>, and the deltas they
/// return are joined into one, <c>t</c>'s delta (a lone operation's delta is used as it is). At the end every
/// replica joins every delta it lacks, and all must hold the same text.
/// </summary>
/// <remarks>
/// Positions in <c>t</c> are relative to the document of exactly <c>t</c>'s history, so the replica must hold
/// nothing else: after merging, each of its heads (held transactions no held transaction descends from) must be
/// one of <c>t</c>'s parents. A trace whose agents do not edit along one line of history fails that check.
/// </remarks>
internal static class ConcurrentReplay
{
    /// <exception cref="TraceLoadException">A patch is out of range, or a transaction's history does not describe
    /// its agent's replica.</exception>
    public static ReplayOutcome Run(EditingTrace trace)
    {
        var transactions = trace.TransactionCount;
        var replicas = new Replica[trace.AgentCount];
        for (var a = 0; a < replicas.Length; a++)
        {
            replicas[a] = new Replica(new ReplicaId((ulong)a + 1), transactions);
        }
        // startContent (absent from the published concurrent traces) is written once, by a replica that is no
        // agent, and given to every agent before the first transaction.
        if (trace.StartContent.Length > 0)
        {
            var start = new FugueText().Insert(new ReplicaId((ulong)trace.AgentCount + 1), 0, trace.StartContent);
            foreach (var replica in replicas)
            {
                replica.Document.Join(start);
            }
        }

        var deltas = new FugueText[transactions];
        var missing = new List<int>();
        var visited = new int[transactions];
        var walk = new Stack<int>();
        for (var t = 0; t < transactions; t++)
        {
            var replica = replicas[trace.Agents[t]];
            CollectMissingHistory(trace, replica, t, visited, walk, missing);
            foreach (var ancestor in missing)
            {
                replica.Document.Join(deltas[ancestor]);
                replica.Add(trace, ancestor);
            }
            CheckHeads(trace, replica, t);
            deltas[t] = Apply(trace, replica, t);
            replica.Add(trace, t);
        }

        foreach (var replica in replicas)
        {
            for (var t = 0; t < transactions; t++)
            {
                if (!replica.Holds[t])
                {
                    replica.Document.Join(deltas[t]);
                }
            }
        }
        return new ReplayOutcome(Array.ConvertAll(replicas, static r => r.Document));
    }

    /// <summary>Fills <paramref name="missing"/> with <paramref name="t"/>'s ancestors the replica lacks, in index
    /// (hence topological) order. <paramref name="visited"/> marks, with <c>t + 1</c>, what this walk has seen.</summary>
    private static void CollectMissingHistory(EditingTrace trace, Replica replica, int t, int[] visited, Stack<int> stack, List<int> missing)
    {
        missing.Clear();
        foreach (var parent in trace.ParentsOf(t))
        {
            stack.Push(parent);
        }
        while (stack.Count > 0)
        {
            var ancestor = stack.Pop();
            if (replica.Holds[ancestor] || visited[ancestor] == t + 1)
            {
                continue;
            }
            visited[ancestor] = t + 1;
            missing.Add(ancestor);
            foreach (var parent in trace.ParentsOf(ancestor))
            {
                stack.Push(parent);
            }
        }
        missing.Sort();
    }

    private static void CheckHeads(EditingTrace trace, Replica replica, int t)
    {
        var parents = trace.ParentsOf(t);
        foreach (var head in replica.Heads)
        {
            if (!parents.Contains(head))
            {
                throw new TraceLoadException(
                    $"txn {t} of agent {trace.Agents[t]}: that agent's replica already holds txn {head}, which is not in txn {t}'s history, so its positions cannot be applied there");
            }
        }
    }

    private static FugueText Apply(EditingTrace trace, Replica replica, int t)
    {
        var document = replica.Document;
        // Most transactions are one insert or one delete: their delta is the one that operation returned. Joining
        // it into an empty accumulator would give the same state at the cost of one more FugueText per transaction.
        FugueText? single = null;
        FugueText? joined = null;
        var p = trace.PatchStarts[t];
        try
        {
            for (; p < trace.PatchStarts[t + 1]; p++)
            {
                var position = trace.Positions[p];
                if (trace.DeleteCounts[p] > 0)
                {
                    Collect(document.Delete(replica.Id, position, trace.DeleteCounts[p]), ref single, ref joined);
                }
                if (trace.Inserts[p].Length > 0)
                {
                    Collect(document.Insert(replica.Id, position, trace.Inserts[p]), ref single, ref joined);
                }
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new TraceLoadException(
                $"txn {t}, patch {p - trace.PatchStarts[t]} [{trace.Positions[p]}, {trace.DeleteCounts[p]}, ...] is out of range of agent {trace.Agents[t]}'s document (length {document.Length})", e);
        }
        return joined ?? single ?? new FugueText();
    }

    private static void Collect(FugueText delta, ref FugueText? single, ref FugueText? joined)
    {
        if (joined is not null)
        {
            joined.Join(delta);
        }
        else if (single is null)
        {
            single = delta;
        }
        else
        {
            // Returned deltas are joined into a fresh state rather than into one another, so none is modified.
            joined = new FugueText();
            joined.Join(single);
            joined.Join(delta);
        }
    }

    /// <summary>One agent's document and the transactions it holds.</summary>
    private sealed class Replica(ReplicaId id, int transactions)
    {
        public ReplicaId Id { get; } = id;

        public FugueText Document { get; } = new();

        public bool[] Holds { get; } = new bool[transactions];

        /// <summary>Held transactions that no held transaction has as a parent.</summary>
        public HashSet<int> Heads { get; } = [];

        /// <summary>Records <paramref name="t"/> as held; its parents must be held already.</summary>
        public void Add(EditingTrace trace, int t)
        {
            Holds[t] = true;
            foreach (var parent in trace.ParentsOf(t))
            {
                Heads.Remove(parent);
            }
            Heads.Add(t);
        }
    }
}
