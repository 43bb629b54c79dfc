using System.Globalization;
using System.Text.Json;
using Jarvis.Agents.Plans;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;
using Jarvis.Replication.Membership;

namespace Jarvis.Agents.Coordination;

// The node's index of coordination state: task views folded from their logs (only new events are decoded),
// the set of tasks not yet final, runs per agent, plans and the agent registry.
public sealed partial class Coordinator
{
    private readonly Dictionary<string, TaskEntry> _tasks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _runningByAgent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlanRecord> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Json, AgentDescriptor Agent)> _registryCache = new(StringComparer.Ordinal);
    private readonly long[] _byState = new long[Enum.GetValues<TaskState>().Length];
    private long _duplicates;

    /// <summary>How many known tasks are in each state, kept as views change (for metrics: no scan of every task).</summary>
    public IReadOnlyDictionary<TaskState, long> TaskCountsByState
    {
        get
        {
            RefreshChanged();
            return Enum.GetValues<TaskState>().ToDictionary(s => s, s => _byState[(int)s]);
        }
    }

    /// <summary>Duplicate runs counted over every known task, kept as views change.</summary>
    public long DuplicateRuns
    {
        get
        {
            RefreshChanged();
            return _duplicates;
        }
    }

    private sealed class TaskEntry
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public List<TaskEvent> Events { get; } = [];

        public TaskView? View { get; set; }
    }

    /// <summary>A task as this node sees it now; null when unknown here.</summary>
    public TaskView? GetTask(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        if (_changed.Contains(taskId))
        {
            Refresh(taskId);
            _changed.Remove(taskId);
        }
        return _tasks.TryGetValue(taskId, out var entry) ? entry.View : null;
    }

    /// <summary>Every task known here (optionally in one state), by id.</summary>
    public IEnumerable<TaskView> Tasks(TaskState? state = null)
    {
        RefreshChanged();
        return _tasks.Values.Select(e => e.View).OfType<TaskView>().Where(v => state is null || v.State == state);
    }

    /// <summary>How many tasks this node knows (with their spec).</summary>
    public int TaskCount
    {
        get
        {
            RefreshChanged();
            return _live.Count + _tasks.Values.Count(e => e.View is { } v && v.State.IsFinal());
        }
    }

    /// <summary>How many tasks are not final.</summary>
    public int LiveTasks
    {
        get
        {
            RefreshChanged();
            return _live.Count;
        }
    }

    /// <summary>A plan and its steps' states; null when unknown here.</summary>
    public PlanView? GetPlan(string planId)
    {
        var record = GetPlanRecord(planId);
        if (record is null)
        {
            return null;
        }
        var steps = record.StepTasks.ToDictionary(s => s.Key, s => GetTask(s.Value), StringComparer.Ordinal);
        var states = steps.Values.Select(v => v?.State ?? TaskState.Pending).ToList();
        var state = states.All(s => s == TaskState.Succeeded) ? TaskState.Succeeded
            : states.Any(s => s is TaskState.Failed or TaskState.TimedOut) && states.All(s => s.IsFinal()) ? TaskState.Failed
            : states.Any(s => s == TaskState.Cancelled) && states.All(s => s.IsFinal()) ? TaskState.Cancelled
            : states.Any(s => s is TaskState.Running or TaskState.Assigned || s.IsFinal()) ? TaskState.Running
            : TaskState.Pending;
        var dependsOn = record.DependsOn.ToDictionary(d => d.Key, d => (IReadOnlyList<string>)d.Value, StringComparer.Ordinal);
        return new PlanView(planId, state, steps, dependsOn);
    }

    /// <summary>Every plan known here.</summary>
    public IEnumerable<PlanView> Plans()
    {
        foreach (var key in _core.Keys.Where(k => k.StartsWith(AgentKeys.PlanPrefix, StringComparison.Ordinal)).ToList())
        {
            if (GetPlan(key[AgentKeys.PlanPrefix.Length..]) is { } plan)
            {
                yield return plan;
            }
        }
    }

    /// <summary>Every registered agent with its status as this node sees it now.</summary>
    public IReadOnlyList<AgentView> Agents()
    {
        RefreshChanged();
        var heartbeats = _core.Get<LWWMap<string, string>>(AgentKeys.Heartbeats);
        var list = new List<AgentView>();
        foreach (var agent in RegisteredAgents())
        {
            var beat = LastHeartbeat(heartbeats, agent.Id);
            list.Add(new AgentView(agent, AgentStatusOf(agent, beat), beat, _runningByAgent.GetValueOrDefault(agent.Id)));
        }
        return list;
    }

    /// <summary>The agents this node hosts.</summary>
    public IReadOnlyCollection<AgentDescriptor> LocalAgents => _localAgents.Values;

    private PlanRecord? GetPlanRecord(string planId)
    {
        if (_plans.TryGetValue(planId, out var cached))
        {
            return cached;
        }
        var set = _core.Get<GSet<string>>(AgentKeys.Plan(planId));
        if (set is null)
        {
            return null;
        }
        // Two concurrent submissions under one key write the same record but for SubmittedAt: the first by text is used.
        foreach (var text in set.Elements.Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize(text, AgentsJson.Default.PlanRecord) is { } record)
                {
                    _plans[planId] = record;
                    return record;
                }
            }
            catch (JsonException)
            {
                Counters.UnreadableEvents++;
            }
        }
        return null;
    }

    private IEnumerable<AgentDescriptor> RegisteredAgents()
    {
        var registry = _core.Get<LWWMap<string, string>>(AgentKeys.Registry);
        if (registry is null)
        {
            yield break;
        }
        foreach (var (id, json) in registry.Entries)
        {
            if (_registryCache.TryGetValue(id, out var cached) && cached.Json == json)
            {
                yield return cached.Agent;
                continue;
            }
            AgentDescriptor? agent = null;
            try
            {
                agent = JsonSerializer.Deserialize(json, AgentsJson.Default.AgentDescriptor);
            }
            catch (JsonException)
            {
                Counters.UnreadableEvents++;
            }
            if (agent is not null)
            {
                _registryCache[id] = (json, agent);
                yield return agent;
            }
        }
    }

    private AgentDescriptor? RegisteredAgent(string id)
        => _core.Get<LWWMap<string, string>>(AgentKeys.Registry)?.TryGetValue(id, out _) == true ? RegisteredAgents().FirstOrDefault(a => a.Id == id) : null;

    private static ulong LastHeartbeat(LWWMap<string, string>? heartbeats, string agentId)
        => heartbeats is not null && heartbeats.TryGetValue(agentId, out var text) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var beat) ? beat : 0;

    private AgentStatus AgentStatusOf(AgentDescriptor agent)
        => AgentStatusOf(agent, LastHeartbeat(_core.Get<LWWMap<string, string>>(AgentKeys.Heartbeats), agent.Id));

    private AgentStatus AgentStatusOf(AgentDescriptor agent, ulong lastHeartbeat)
    {
        var host = new ReplicaId(agent.NodeValue);
        if (host == Node)
        {
            if (!_localAgents.TryGetValue(agent.Id, out var local))
            {
                return AgentStatus.Gone;
            }
            return local.Kind == AgentKind.External && (!_externalHeartbeats.TryGetValue(agent.Id, out var seen) || _now - seen >= Options.SuspectAfterMs)
                ? AgentStatus.Suspect
                : AgentStatus.Alive;
        }
        var member = _core.Members.FirstOrDefault(m => m.Id == host);
        if (member is null || member.IsDeparted || _core.RetiredMembers.Contains(host))
        {
            return AgentStatus.Gone;
        }
        var age = (long)(_clock.WallTime - Math.Min(lastHeartbeat, _clock.WallTime));
        if (age >= Options.GoneAfterMs)
        {
            return AgentStatus.Gone;
        }
        return member.Status != MemberStatus.Up || age >= Options.SuspectAfterMs ? AgentStatus.Suspect : AgentStatus.Alive;
    }

    private void MarkChanged(string key)
    {
        if (key.StartsWith(AgentKeys.TaskPrefix, StringComparison.Ordinal))
        {
            _changed.Add(key[AgentKeys.TaskPrefix.Length..]);
        }
        else if (key.StartsWith(AgentKeys.PlanPrefix, StringComparison.Ordinal))
        {
            _plans.Remove(key[AgentKeys.PlanPrefix.Length..]);
        }
    }

    private void RefreshChanged()
    {
        if (_changed.Count == 0)
        {
            return;
        }
        foreach (var id in _changed)
        {
            Refresh(id);
        }
        _changed.Clear();
    }

    private void Refresh(string taskId)
    {
        var set = _core.Get<GSet<string>>(AgentKeys.Task(taskId));
        if (set is null)
        {
            return;
        }
        if (!_tasks.TryGetValue(taskId, out var entry))
        {
            _tasks[taskId] = entry = new TaskEntry();
        }
        if (set.Count == entry.Seen.Count)
        {
            return;
        }
        foreach (var text in set.Elements)
        {
            if (entry.Seen.Add(text))
            {
                if (TaskEvent.TryDecode(text) is { } e)
                {
                    entry.Events.Add(e);
                }
                else
                {
                    Counters.UnreadableEvents++;
                }
            }
        }
        var before = entry.View;
        var after = TaskView.Fold(taskId, entry.Events);
        entry.View = after;
        if (before is not null)
        {
            _byState[(int)before.State]--;
            _duplicates -= before.Duplicates;
        }
        if (after is not null)
        {
            _byState[(int)after.State]++;
            _duplicates += after.Duplicates;
        }
        if (before is not null)
        {
            foreach (var run in before.ActiveRuns)
            {
                if (_runningByAgent.TryGetValue(run.Agent, out var n))
                {
                    _runningByAgent[run.Agent] = n - 1;
                }
            }
        }
        if (after is null)
        {
            return;
        }
        foreach (var run in after.ActiveRuns)
        {
            _runningByAgent[run.Agent] = _runningByAgent.GetValueOrDefault(run.Agent) + 1;
        }
        if (after.State.IsFinal())
        {
            _live.Remove(taskId);
        }
        else
        {
            _live.Add(taskId);
        }
    }
}
