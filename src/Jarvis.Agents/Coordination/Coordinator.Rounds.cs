using Jarvis.Agents.Assignment;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;

namespace Jarvis.Agents.Coordination;

// The assignment round: runnable tasks × agents with free capacity, solved exactly as a rectangular min-cost
// assignment with forbidden pairs. Every node solves the same global problem from (nearly) the same state and
// claims only the pairs whose agent it hosts, so nodes rarely claim the same task twice without talking.
public sealed partial class Coordinator
{
    /// <summary>The cost of leaving an agent slot without a task: above any real pair, so as many pairs as possible are made.</summary>
    private const double Unassigned = 1e6;

    /// <summary>Runnable tasks the last round saw, for metrics (queue depth).</summary>
    public int LastRoundRunnable { get; private set; }

    /// <summary>Tasks no alive agent can take (a capability no agent has, or a pool without the units), with the reason; refreshed at most once a second.</summary>
    public IReadOnlyDictionary<string, string> Unassignable => _unassignable;

    private readonly Dictionary<string, string> _unassignable = new(StringComparer.Ordinal);
    private long _nextUnassignableNote;

    private void Round()
    {
        RefreshChanged();
        var wall = _clock.WallTime;
        var margin = (ulong)Options.ClockUncertaintyMs;
        var candidates = new List<(TaskView View, int Seats)>();
        var cancels = new List<(string TaskId, string Reason)>();
        var deadlines = new List<string>();
        foreach (var id in _live)
        {
            var view = _tasks[id].View!;
            var spec = view.Spec;
            var collective = spec.Collective;
            int seats;
            if (collective is null)
            {
                if (_claimingByTask.ContainsKey(id) || view.State is TaskState.Running or TaskState.Assigned && LiveLeaseUntil(id, view.NextAttempt) + margin > wall)
                {
                    continue;
                }
                seats = 1;
            }
            else
            {
                var active = view.ActiveRuns.Count(r => r.LeaseUntil + margin > wall) + _claimingByTask.GetValueOrDefault(id);
                seats = collective.Voters - view.Votes.Count - active;
                if (seats <= 0)
                {
                    continue;
                }
            }
            if (view.EligibleAt > wall)
            {
                continue;
            }
            if (spec.DeadlineMs is { } deadline && wall > (ulong)deadline && view.Runs.Count == 0)
            {
                deadlines.Add(id);
                continue;
            }
            var ready = true;
            foreach (var dependency in spec.DependsOn)
            {
                var before = GetTask(dependency);
                if (before is { State: TaskState.Succeeded })
                {
                    continue;
                }
                ready = false;
                if (before is not null && before.State.IsFinal())
                {
                    cancels.Add((id, $"dependency {before.Spec.Step ?? dependency} {before.State.ToString().ToLowerInvariant()}"));
                }
                break;
            }
            if (ready)
            {
                candidates.Add((view, seats));
            }
        }
        WriteEndings(cancels, deadlines);
        LastRoundRunnable = candidates.Count;
        if (candidates.Count == 0)
        {
            _unassignable.Clear();
            return;
        }
        var agents = Agents()
            .Where(a => a.Status == AgentStatus.Alive)
            .Select(a => (a.Descriptor, Free: a.Free - _claimingByAgent.GetValueOrDefault(a.Descriptor.Id), a.Running))
            .Where(a => a.Free > 0)
            .OrderBy(a => a.Descriptor.Id, StringComparer.Ordinal)
            .ToList();
        if (_now >= _nextUnassignableNote)
        {
            // Informational, and costly with many agents: refreshed at most once a second.
            _nextUnassignableNote = _now + 1_000;
            _unassignable.Clear();
            NoteUnassignable(candidates, agents.Select(a => a.Descriptor).ToList());
        }
        if (agents.Count == 0 || agents.All(a => new ReplicaId(a.Descriptor.NodeValue) != Node))
        {
            return;
        }
        // The round's tasks: the MaxRoundTasks first by priority, rank, age and id (a bounded heap, not a full sort).
        candidates = TopCandidates(candidates, Options.MaxRoundTasks);
        var columns = new List<TaskView>();
        foreach (var (view, seats) in candidates)
        {
            for (var s = 0; s < seats && columns.Count < Options.MaxRoundTasks; s++)
            {
                columns.Add(view);
            }
            if (columns.Count >= Options.MaxRoundTasks)
            {
                break;
            }
        }
        var slots = new List<(AgentDescriptor Agent, int Running)>();
        foreach (var (descriptor, free, running) in agents)
        {
            for (var s = 0; s < Math.Min(free, columns.Count) && slots.Count < Options.MaxRoundSlots; s++)
            {
                slots.Add((descriptor, running + s));
            }
        }
        var solution = Solve(slots, columns, wall);
        Counters.Rounds++;
        var claimed = new HashSet<(string Task, string Agent)>();
        for (var row = 0; row < slots.Count; row++)
        {
            var column = solution.ColumnOfRow[row];
            if (column < 0 || column >= columns.Count)
            {
                continue;
            }
            var agent = slots[row].Agent;
            var view = columns[column];
            if (new ReplicaId(agent.NodeValue) != Node || !_localAgents.ContainsKey(agent.Id) || !claimed.Add((view.Id, agent.Id)))
            {
                continue;
            }
            if (view.Spec.Collective is null && !claimed.Add((view.Id, "")))
            {
                continue;
            }
            Claim(GetTask(view.Id)!, agent);
        }
    }

    /// <summary>A candidate's place in the round's order: priority, then upward rank (both higher first), then age, then id.</summary>
    private readonly record struct CandidateKey(int Priority, double Rank, ulong SubmittedAt, string Id) : IComparable<CandidateKey>
    {
        public int CompareTo(CandidateKey other)
        {
            var c = other.Priority.CompareTo(Priority);
            c = c != 0 ? c : other.Rank.CompareTo(Rank);
            c = c != 0 ? c : SubmittedAt.CompareTo(other.SubmittedAt);
            return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
        }
    }

    private sealed class LaterFirst : IComparer<CandidateKey>
    {
        public static readonly LaterFirst Instance = new();

        public int Compare(CandidateKey x, CandidateKey y) => y.CompareTo(x);
    }

    private static List<(TaskView View, int Seats)> TopCandidates(List<(TaskView View, int Seats)> candidates, int limit)
    {
        static CandidateKey KeyOf(TaskView v) => new(v.Spec.Priority, v.Spec.Rank, v.SubmittedAt, v.Id);
        if (candidates.Count > limit)
        {
            // A heap whose top is the latest of the best `limit` seen so far.
            var heap = new PriorityQueue<int, CandidateKey>(limit + 1, LaterFirst.Instance);
            for (var i = 0; i < candidates.Count; i++)
            {
                var key = KeyOf(candidates[i].View);
                if (heap.Count < limit)
                {
                    heap.Enqueue(i, key);
                }
                else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) < 0)
                {
                    heap.DequeueEnqueue(i, key);
                }
            }
            candidates = [.. heap.UnorderedItems.Select(item => candidates[item.Element])];
        }
        candidates.Sort((x, y) => KeyOf(x.View).CompareTo(KeyOf(y.View)));
        return candidates;
    }

    /// <summary>
    /// Builds the round's matrix and solves it. The cost is split into what depends on the agent and the task's
    /// capability set (computed once per agent and distinct set), the agent's load, the locality of its node to the
    /// task's submitter (once per pair of nodes) and what depends on the task alone (once per task): the pairs cost a
    /// few additions each, so a round of 1,000 slots × 512 tasks is built in milliseconds.
    /// </summary>
    private AssignmentSolution Solve(List<(AgentDescriptor Agent, int Running)> slots, List<TaskView> columns, ulong wall)
    {
        var weights = Options.Weights;
        var maxRank = columns.Max(c => c.Spec.Rank);

        // Per task: its capability set's index, what depends on it alone, whether its pools have the units.
        var sets = new Dictionary<string, int>(StringComparer.Ordinal);
        var setCapabilities = new List<IReadOnlyList<string>>();
        var setOf = new int[columns.Count];
        var taskTerm = new double[columns.Count];
        var poolsOk = new bool[columns.Count];
        var collective = new bool[columns.Count];
        var preferred = new string?[columns.Count];
        for (var column = 0; column < columns.Count; column++)
        {
            var view = columns[column];
            var spec = view.Spec;
            var key = spec.Capabilities.Count == 1 ? spec.Capabilities[0] : string.Join('\n', spec.Capabilities);
            if (!sets.TryGetValue(key, out var set))
            {
                sets[key] = set = setCapabilities.Count;
                setCapabilities.Add(spec.Capabilities);
            }
            setOf[column] = set;
            var age = (double)(wall - Math.Min(wall, view.SubmittedAt));
            taskTerm[column] = -weights.Priority * (spec.Priority / 1000.0)
                - weights.Rank * (maxRank > 0 ? spec.Rank / maxRank : 0)
                - weights.Age * Math.Min(1, age / Options.AgeScaleMs);
            collective[column] = spec.Collective is not null;
            preferred[column] = spec.PreferredAgent;
            poolsOk[column] = spec.Pools.Count == 0 || spec.Pools.All(p => _pools is not null && _pools.HasFree(p.Key, p.Value));
        }

        // Per agent and capability set: NaN when the agent lacks a capability, else its part of the cost.
        var agentTerms = new Dictionary<(string Agent, int Set), double>();
        double AgentTerm(AgentDescriptor agent, int set)
        {
            if (agentTerms.TryGetValue((agent.Id, set), out var term))
            {
                return term;
            }
            var capabilities = setCapabilities[set];
            double proficiency = 1, success = 0, latency = 0, price = 0;
            foreach (var capability in capabilities)
            {
                if (!agent.Capabilities.TryGetValue(capability, out var skill))
                {
                    return agentTerms[(agent.Id, set)] = double.NaN;
                }
                proficiency = Math.Min(proficiency, skill.Proficiency);
                price += skill.Cost;
                var seen = Experience(agent.Id, capability);
                success += seen.Success;
                latency += seen.LatencyMs;
            }
            var n = Math.Max(1, capabilities.Count);
            success = capabilities.Count == 0 ? 1 : success / n;
            latency /= n;
            term = weights.Proficiency * (1 - proficiency)
                + weights.Failures * (1 - success)
                + weights.Latency * Math.Min(1, latency / Options.LatencyScaleMs)
                + weights.Cost * Math.Min(1, price / Options.CostScale);
            return agentTerms[(agent.Id, set)] = term;
        }

        // Per node of an agent: the locality term of every task (nodes are few; tasks share submitters).
        var localityByNode = new Dictionary<ulong, double[]>();
        var pairs = new Dictionary<(ulong From, ulong To), double>();
        double[] LocalityOf(ReplicaId node)
        {
            if (!localityByNode.TryGetValue(node.Value, out var terms))
            {
                terms = new double[columns.Count];
                for (var column = 0; column < columns.Count; column++)
                {
                    var submitter = columns[column].SubmittedBy;
                    if (!pairs.TryGetValue((node.Value, submitter.Value), out var term))
                    {
                        var rtt = Options.RoundTripMs?.Invoke(node, submitter) ?? (node == submitter ? 0 : 1);
                        pairs[(node.Value, submitter.Value)] = term = weights.Locality * Math.Min(1, rtt / Options.RoundTripScaleMs);
                    }
                    terms[column] = term;
                }
                localityByNode[node.Value] = terms;
            }
            return terms;
        }

        // Every slot may stay idle, or every task unassigned, at a cost above any real pair: the most pairs are made,
        // and the problem is always feasible. The dummies go on the side that makes the matrix smaller.
        var dummyColumns = slots.Count <= columns.Count;
        var costs = dummyColumns ? new CostMatrix(slots.Count, columns.Count + slots.Count) : new CostMatrix(slots.Count + columns.Count, columns.Count);
        var rowTerms = new double[setCapabilities.Count];
        // Row by row through spans: every value written is a sum of bounded, finite terms (descriptors and specs
        // are validated), or +∞ for a forbidden pair, or the dummy cost.
        for (var row = 0; row < slots.Count; row++)
        {
            var (agent, running) = slots[row];
            var node = new ReplicaId(agent.NodeValue);
            for (var set = 0; set < rowTerms.Length; set++)
            {
                rowTerms[set] = AgentTerm(agent, set);
            }
            var load = weights.Load * ((double)running / agent.Capacity);
            var cells = costs.Row(row);
            var near = LocalityOf(node);
            for (var column = 0; column < columns.Count; column++)
            {
                var term = rowTerms[setOf[column]];
                cells[column] = double.IsNaN(term) || !poolsOk[column] || collective[column] && !AllowedVoter(agent, columns[column])
                    ? double.PositiveInfinity
                    : term + load + near[column] + taskTerm[column] - (preferred[column] is { } p && p == agent.Id ? weights.Placement : 0);
            }
            if (dummyColumns)
            {
                cells[columns.Count..].Fill(Unassigned);
            }
        }
        if (!dummyColumns)
        {
            for (var dummy = slots.Count; dummy < slots.Count + columns.Count; dummy++)
            {
                costs.Row(dummy).Fill(Unassigned);
            }
        }
        return LinearAssignment.Solve(costs);
    }

    private static bool AllowedVoter(AgentDescriptor agent, TaskView view)
        => !view.Votes.ContainsKey(agent.Id) && !view.ActiveRuns.Any(r => r.Agent == agent.Id);

    /// <summary>An agent's observed success rate (Laplace-smoothed) and mean run length for a capability, from the shared counters.</summary>
    private (double Success, double LatencyMs) Experience(string agent, string capability)
    {
        var ok = (double)(_core.Get<GCounter>(AgentKeys.Stat(agent, capability, "ok"))?.Value ?? 0);
        var fail = (double)(_core.Get<GCounter>(AgentKeys.Stat(agent, capability, "fail"))?.Value ?? 0);
        var ms = (double)(_core.Get<GCounter>(AgentKeys.Stat(agent, capability, "ms"))?.Value ?? 0);
        return ((ok + 1) / (ok + fail + 2), ok > 0 ? ms / ok : 0);
    }

    /// <summary>Shared experience of one agent for one capability: successes, failures, mean run length.</summary>
    public (ulong Succeeded, ulong Failed, double MeanMs) ExperienceOf(string agent, string capability)
    {
        var ok = _core.Get<GCounter>(AgentKeys.Stat(agent, capability, "ok"))?.Value ?? 0;
        var fail = _core.Get<GCounter>(AgentKeys.Stat(agent, capability, "fail"))?.Value ?? 0;
        var ms = _core.Get<GCounter>(AgentKeys.Stat(agent, capability, "ms"))?.Value ?? 0;
        return ((ulong)ok, (ulong)fail, ok > 0 ? (double)ms / (double)ok : 0);
    }

    private void NoteUnassignable(List<(TaskView View, int Seats)> candidates, List<AgentDescriptor> alive)
    {
        // Distinct capability sets, so the check is per kind of agent, not per agent.
        var registered = RegisteredAgents().SelectMany(a => a.Capabilities.Keys).ToHashSet(StringComparer.Ordinal);
        var kinds = alive.Select(a => a.Capabilities.Keys.Order(StringComparer.Ordinal).ToArray())
            .DistinctBy(k => string.Join('\n', k))
            .Select(k => k.ToHashSet(StringComparer.Ordinal))
            .ToList();
        foreach (var (view, _) in candidates)
        {
            var spec = view.Spec;
            var missing = spec.Capabilities.FirstOrDefault(c => !registered.Contains(c));
            if (missing is not null)
            {
                _unassignable[view.Id] = $"no registered agent has capability '{missing}'";
            }
            else if (!kinds.Any(k => spec.Capabilities.All(k.Contains)))
            {
                _unassignable[view.Id] = "no alive agent with free capacity has every capability the task needs";
            }
            else if (spec.Pools.Count > 0 && spec.Pools.FirstOrDefault(p => _pools is null || !_pools.HasFree(p.Key, p.Value)) is { Key: not null } pool)
            {
                _unassignable[view.Id] = $"pool '{pool.Key}' has fewer than {pool.Value} free units";
            }
        }
    }

    private void WriteEndings(List<(string TaskId, string Reason)> cancels, List<string> deadlines)
    {
        if (cancels.Count == 0 && deadlines.Count == 0)
        {
            return;
        }
        _core.Write(tx =>
        {
            foreach (var (taskId, reason) in cancels)
            {
                Append(tx, taskId, TaskEvent.At(EventKind.Cancel, _clock.Now(), Node) with { Text = reason });
            }
            foreach (var taskId in deadlines)
            {
                Append(tx, taskId, TaskEvent.At(EventKind.Deadline, _clock.Now(), Node));
            }
        });
    }
}
