using System.Text;
using Jarvis.Agents.Registry;
using Jarvis.Agents.Tasks;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Agents.Coordination;

// Claims, runs and leases. At-least-once: the claim is the start, written at Local, and the run starts at
// once. Exclusive: a claim written at Majority, read back at Majority, and the run starts only if no competing
// claim of its attempt and no live lease of an earlier one was seen (of two concurrent claimers, the one whose
// write completed later reads the other's claim, so at most one starts); leases are renewed at Majority and a run
// whose renewal does not land before its lease (less the clock uncertainty) ends is stopped.
public sealed partial class Coordinator
{
    private readonly Dictionary<RunId, LocalRun> _runs = [];
    private readonly Dictionary<long, LocalRun> _renewals = [];
    private readonly Dictionary<long, LocalRun> _startWrites = [];
    private readonly Dictionary<long, PendingClaim> _claimWrites = [];
    private readonly Dictionary<long, PendingClaim> _claimReads = [];
    private readonly Dictionary<string, int> _claimingByTask = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _claimingByAgent = new(StringComparer.Ordinal);

    private sealed class LocalRun
    {
        public required RunId Id { get; init; }

        public required string TaskId { get; init; }

        public required int Attempt { get; init; }

        public required string Agent { get; init; }

        public required TaskSpec Spec { get; init; }

        public required long StartedAt { get; set; }

        public required bool AutoRenew { get; init; }

        public required IReadOnlyList<(string Pool, ulong Units)> Taken { get; init; }

        public ulong Lease { get; set; }

        public ulong ProposedLease { get; set; }

        public long RenewWriteId { get; set; }

        public bool HeartbeatSeen { get; set; }

        /// <summary>Whether the host was told to start it (after its start event was durable here).</summary>
        public bool Launched { get; set; }

        public long StartWriteId { get; set; }
    }

    private sealed record PendingClaim(string TaskId, int Attempt, string Agent, RunId ClaimId, ulong Lease, long Deadline, int Weight);

    /// <summary>Runs this node is performing now.</summary>
    public int LocalRuns => _runs.Count;

    /// <summary>Reports a run's result.</summary>
    /// <returns>Whether the run was active here (false: it had been stopped; the result is still recorded, as late).</returns>
    /// <exception cref="PayloadTooLargeException">The result is larger than the input bound (nothing recorded).</exception>
    public bool Complete(string taskId, RunId run, string result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var bytes = Encoding.UTF8.GetByteCount(result);
        if (bytes > Options.MaxInputBytes)
        {
            throw new PayloadTooLargeException(bytes, Options.MaxInputBytes);
        }
        return End(taskId, run, EventKind.Done, result, retry: false);
    }

    /// <summary>Reports a run's failure; <paramref name="retryable"/> false ends the task as Failed.</summary>
    /// <returns>Whether the run was active here.</returns>
    public bool Fail(string taskId, RunId run, string error, bool retryable = true)
    {
        ArgumentNullException.ThrowIfNull(error);
        return End(taskId, run, EventKind.Fail, error.Length > 4096 ? error[..4096] : error, retryable);
    }

    /// <summary>A run's heartbeat (external agents): renews its lease at the next tick.</summary>
    /// <returns>False when the run is not active here: the worker should stop.</returns>
    public bool Heartbeat(RunId run)
    {
        if (!_runs.TryGetValue(run, out var local))
        {
            return false;
        }
        local.HeartbeatSeen = true;
        if (_localAgents.ContainsKey(local.Agent))
        {
            _externalHeartbeats[local.Agent] = _now;
        }
        return true;
    }

    /// <summary>The runs active here (for a host that restarts its agents' bookkeeping).</summary>
    public IReadOnlyList<RunTicket> ActiveRunTickets() => [.. _runs.Values.Select(Ticket)];

    private RunTicket Ticket(LocalRun run)
        => new(run.Id, run.TaskId, run.Attempt, run.Agent, run.Spec.Capabilities, run.Spec.Input, run.Spec.IdempotencyKey ?? run.TaskId, run.Spec.StartToCloseMs);

    private bool End(string taskId, RunId run, string kind, string text, bool retry)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var active = _runs.Remove(run, out var local);
        if (local is not null && local.TaskId != taskId)
        {
            _runs[run] = local;
            throw new ArgumentException($"Run {run} belongs to task {local.TaskId}, not {taskId}.", nameof(taskId));
        }
        if (!active && GetTask(taskId) is null)
        {
            throw new UnknownTaskException(taskId);
        }
        var time = _clock.Now();
        var elapsed = local is null ? 0 : Math.Max(0, _now - local.StartedAt);
        var e = TaskEvent.At(kind, time, Node) with { Run = run.ToString(), Text = text, Retry = retry, ElapsedMs = elapsed, Attempt = local?.Attempt ?? 0 };
        _core.Write(tx =>
        {
            Append(tx, taskId, e);
            if (local is not null)
            {
                GiveBack(tx, local);
                if (Options.RecordExperience && kind is EventKind.Done or EventKind.Fail)
                {
                    RecordExperience(tx, local, kind == EventKind.Done, elapsed, time.WallTime);
                }
            }
        });
        return active;
    }

    private void GiveBack(ReplicaTransaction tx, LocalRun run)
    {
        if (_pools is null)
        {
            return;
        }
        foreach (var (pool, units) in run.Taken)
        {
            _pools.Give(tx, pool, units);
        }
    }

    private void RecordExperience(ReplicaTransaction tx, LocalRun run, bool ok, long elapsedMs, ulong wall)
    {
        foreach (var capability in run.Spec.Capabilities)
        {
            tx.Update<GCounter>(AgentKeys.Stat(run.Agent, capability, ok ? "ok" : "fail"), c => c.Increment(Node));
            if (ok)
            {
                tx.Update<GCounter>(AgentKeys.Stat(run.Agent, capability, "ms"), c => c.Increment(Node, (ulong)elapsedMs));
                tx.Update<TimeSeries>(AgentKeys.Latency(run.Agent, capability), s => s.Append(Node, (long)Math.Min(wall, (ulong)TimeSeries.MaxTimestamp), elapsedMs));
            }
        }
    }

    /// <summary>Stops a run here: cancels its agent and records why (a stop, or a retryable failure for timeouts).</summary>
    private void StopRun(LocalRun run, string reason, bool asFailure)
    {
        if (run.Launched)
        {
            _outputs.Add(new CancelRun(run.Id, run.TaskId, reason));
        }
        _startWrites.Remove(run.StartWriteId);
        End(run.TaskId, run.Id, asFailure ? EventKind.Fail : EventKind.Stop, reason, retry: true);
    }

    private bool _recovered;

    /// <summary>
    /// Runs this node started in an earlier life (before a crash or restart) that have no outcome: their agents are
    /// gone with the process, so each is recorded as failed (retryable) and its pool units are given back — in one
    /// transaction, as they were taken with its start.
    /// </summary>
    private void RecoverOrphans()
    {
        _recovered = true;
        var orphans = _tasks.Values.Select(e => e.View).OfType<TaskView>()
            .SelectMany(v => v.ActiveRuns.Where(r => r.Node == Node && !_runs.ContainsKey(r.Id)).Select(r => (View: v, Run: r)))
            .ToList();
        foreach (var (view, run) in orphans)
        {
            var e = TaskEvent.At(EventKind.Fail, _clock.Now(), Node) with { Run = run.Id.ToString(), Attempt = run.Attempt, Text = "the node restarted while the run was going on", Retry = true };
            _core.Write(tx =>
            {
                Append(tx, view.Id, e);
                if (_pools is not null)
                {
                    foreach (var (pool, units) in view.Spec.Pools)
                    {
                        _pools.Give(tx, pool, units);
                    }
                }
            });
        }
    }

    private void ManageRuns()
    {
        if (!_recovered)
        {
            RecoverOrphans();
        }
        if (_runs.Count == 0)
        {
            return;
        }
        var wall = _clock.WallTime;
        var margin = (ulong)Options.ClockUncertaintyMs;
        foreach (var run in _runs.Values.ToList())
        {
            var view = GetTask(run.TaskId);
            var mine = view?.Runs.FirstOrDefault(r => r.Id == run.Id);
            if (view is null || mine is null)
            {
                continue;
            }
            if (view.State.IsFinal())
            {
                StopRun(run, $"task {view.State.ToString().ToLowerInvariant()}", asFailure: false);
                continue;
            }
            if (mine.Outcome == RunOutcome.Expired)
            {
                Counters.LeasesLost++;
                StopRun(run, $"{TaskView.TimeoutPrefix}: lease expired elsewhere", asFailure: true);
                continue;
            }
            if (run.Spec.Collective is null && view.Runs.Where(r => r.Attempt == run.Attempt).Min(r => r.Id) != run.Id)
            {
                Counters.RunsSuperseded++;
                StopRun(run, "superseded by an earlier run of the same attempt", asFailure: false);
                continue;
            }
            if (_now - run.StartedAt > run.Spec.StartToCloseMs)
            {
                StopRun(run, $"{TaskView.TimeoutPrefix}: start-to-close {run.Spec.StartToCloseMs} ms", asFailure: true);
                continue;
            }
            var exclusive = run.Spec.Mode == DeliveryMode.Exclusive;
            if (wall + (exclusive ? margin : 0) >= run.Lease)
            {
                Counters.LeasesLost++;
                StopRun(run, $"{TaskView.TimeoutPrefix}: lease lost (no heartbeat or renewal before it ended)", asFailure: true);
                continue;
            }
            var duration = (ulong)run.Spec.HeartbeatTimeoutMs;
            if (run.RenewWriteId == 0 && run.Lease - wall < duration * 2 / 3 && (run.AutoRenew || run.HeartbeatSeen))
            {
                Renew(run, exclusive, wall, margin);
            }
        }
    }

    private void Renew(LocalRun run, bool exclusive, ulong wall, ulong margin)
    {
        var time = _clock.Now();
        var proposed = time.WallTime + (ulong)run.Spec.HeartbeatTimeoutMs;
        var e = TaskEvent.At(EventKind.Renew, time, Node) with { Run = run.Id.ToString(), Attempt = run.Attempt, Agent = run.Agent, LeaseUntil = proposed };
        run.HeartbeatSeen = false;
        if (!exclusive)
        {
            _core.Write(tx => Append(tx, run.TaskId, e));
            run.Lease = Math.Max(run.Lease, proposed);
            return;
        }
        var left = (long)(run.Lease - wall - margin);
        run.ProposedLease = proposed;
        run.RenewWriteId = _core.Write(tx => Append(tx, run.TaskId, e), Consistency.Majority, Math.Max(1, left));
        _renewals[run.RenewWriteId] = run;
    }

    private void OnWriteCompleted(WriteCompleted write)
    {
        if (_startWrites.Remove(write.WriteId, out var starting))
        {
            if (!_runs.ContainsKey(starting.Id))
            {
                return;
            }
            if (write.Outcome == WriteOutcome.Acknowledged)
            {
                // The start is durable here: only now is the agent called (a crash before this loses the start and the run together).
                starting.Launched = true;
                starting.StartedAt = _now;
                Counters.RunsStarted++;
                _outputs.Add(new StartRun(Ticket(starting)));
            }
            else
            {
                StopRun(starting, "storage failed before the run started", asFailure: false);
            }
            return;
        }
        if (_renewals.Remove(write.WriteId, out var run))
        {
            run.RenewWriteId = 0;
            if (write.Outcome == WriteOutcome.Acknowledged && _runs.ContainsKey(run.Id))
            {
                run.Lease = Math.Max(run.Lease, run.ProposedLease);
            }
            return;
        }
        if (_claimWrites.Remove(write.WriteId, out var claim))
        {
            if (write.Outcome != WriteOutcome.Acknowledged || _now >= claim.Deadline)
            {
                Withdraw(claim, "the claim did not reach a majority in time");
                return;
            }
            var readId = _core.Read(AgentKeys.Task(claim.TaskId), Consistency.Majority, Math.Max(1, claim.Deadline - _now));
            _claimReads[readId] = claim;
        }
    }

    private void OnReadCompleted(ReadCompleted read)
    {
        if (!_claimReads.Remove(read.ReadId, out var claim))
        {
            return;
        }
        if (read.Outcome != ReadOutcome.Gathered)
        {
            Withdraw(claim, "the claim could not be read back from a majority in time");
            return;
        }
        Confirm(claim);
    }

    /// <summary>An exclusive claim read back from a majority: start the run if nothing competes with it.</summary>
    private void Confirm(PendingClaim claim)
    {
        var view = GetTask(claim.TaskId);
        var wall = _clock.WallTime;
        var margin = (ulong)Options.ClockUncertaintyMs;
        string? why = null;
        if (view is null || view.State.IsFinal())
        {
            why = "the task ended";
        }
        else if (view.Claims.Any(c => c.Attempt >= claim.Attempt && c.Id != claim.ClaimId) || view.Runs.Any(r => r.Attempt >= claim.Attempt))
        {
            why = "a competing claim was seen";
        }
        else if (LiveLeaseUntil(claim.TaskId, claim.Attempt) + margin > wall)
        {
            why = "an earlier attempt still holds a lease";
        }
        else if (wall + margin >= claim.Lease)
        {
            why = "the claim's lease ran out before it was confirmed";
        }
        else if (!_localAgents.ContainsKey(claim.Agent))
        {
            why = "the agent was deregistered";
        }
        else if (!CanTakePools(view.Spec))
        {
            why = "this node holds too few pool units";
        }
        if (why is not null)
        {
            Withdraw(claim, why);
            return;
        }
        Release(claim);
        StartRun(view!, claim.Attempt, claim.Agent, claim.Lease, [], claim.Weight);
    }

    private void Withdraw(PendingClaim claim, string reason)
    {
        Release(claim);
        Counters.ClaimsWithdrawn++;
        var e = TaskEvent.At(EventKind.Yield, _clock.Now(), Node) with { Run = claim.ClaimId.ToString(), Attempt = claim.Attempt, Text = reason };
        _core.Write(tx => Append(tx, claim.TaskId, e));
    }

    private void Release(PendingClaim claim)
    {
        Decrement(_claimingByTask, claim.TaskId);
        Decrement(_claimingByAgent, claim.Agent);
    }

    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (counts.TryGetValue(key, out var n))
        {
            if (n <= 1)
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = n - 1;
            }
        }
    }

    private bool CanTakePools(TaskSpec spec)
    {
        if (spec.Pools.Count == 0)
        {
            return true;
        }
        return _pools is not null && spec.Pools.All(p => _pools.CanTake(p.Key, p.Value));
    }

    /// <summary>
    /// The latest lease end among the claims, starts and renewals of attempts before <paramref name="attempt"/> that
    /// have no recorded end — from the raw log, so a renewal counts even when the start it extends has not arrived.
    /// </summary>
    private ulong LiveLeaseUntil(string taskId, int attempt)
    {
        if (!_tasks.TryGetValue(taskId, out var entry))
        {
            return 0;
        }
        var ended = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entry.Events)
        {
            if (e.Run is not null && e.Kind is EventKind.Done or EventKind.Fail or EventKind.Stop or EventKind.Yield)
            {
                ended.Add(e.Run);
            }
        }
        ulong until = 0;
        foreach (var e in entry.Events)
        {
            if (e.Attempt >= attempt || e.Kind is not (EventKind.Claim or EventKind.Start or EventKind.Renew))
            {
                continue;
            }
            var run = e.Kind == EventKind.Renew ? e.Run : e.Id.ToString();
            if (run is not null && !ended.Contains(run))
            {
                until = Math.Max(until, e.LeaseUntil);
            }
        }
        // A run that ended is followed by its start/claim being ended; a claim followed by its start ends with the run.
        return until;
    }

    /// <summary>Claims a task for a local agent (the round chose the pair).</summary>
    private void Claim(TaskView view, AgentDescriptor agent)
    {
        var spec = view.Spec;
        if (!CanTakePools(spec))
        {
            return;
        }
        var attempt = view.NextAttempt;
        var weight = (int)Math.Round(100 * spec.Capabilities.Select(c => agent.Capabilities.TryGetValue(c, out var s) ? s.Proficiency : 0).DefaultIfEmpty(1).Min());
        var expiries = ExpiryEvents(view);
        if (spec.Mode == DeliveryMode.AtLeastOnce)
        {
            var time = _clock.Now();
            StartRun(view, attempt, agent.Id, time.WallTime + (ulong)spec.HeartbeatTimeoutMs, expiries, weight, time);
            return;
        }
        var at = _clock.Now();
        var lease = at.WallTime + (ulong)Math.Max(spec.HeartbeatTimeoutMs, Options.ClaimTimeoutMs + 2 * Options.ClockUncertaintyMs);
        var claimEvent = TaskEvent.At(EventKind.Claim, at, Node) with { Attempt = attempt, Agent = agent.Id, LeaseUntil = lease, Weight = weight };
        var writeId = _core.Write(tx => Append(tx, view.Id, expiries.Append(claimEvent)), Consistency.Majority, Options.ClaimTimeoutMs);
        var claim = new PendingClaim(view.Id, attempt, agent.Id, claimEvent.Id, lease, _now + Options.ClaimTimeoutMs, weight);
        _claimWrites[writeId] = claim;
        _claimingByTask[view.Id] = _claimingByTask.GetValueOrDefault(view.Id) + 1;
        _claimingByAgent[agent.Id] = _claimingByAgent.GetValueOrDefault(agent.Id) + 1;
    }

    /// <summary>Expire events for runs and claims of the task whose lease this node sees past (it is taking the next attempt).</summary>
    private List<TaskEvent> ExpiryEvents(TaskView view)
    {
        var wall = _clock.WallTime;
        var margin = (ulong)Options.ClockUncertaintyMs;
        var list = new List<TaskEvent>();
        foreach (var run in view.ActiveRuns)
        {
            if (run.LeaseUntil + margin <= wall)
            {
                list.Add(TaskEvent.At(EventKind.Expire, _clock.Now(), Node) with { Run = run.Id.ToString(), Attempt = run.Attempt });
            }
        }
        foreach (var claim in view.OpenClaims)
        {
            if (claim.LeaseUntil + margin <= wall)
            {
                list.Add(TaskEvent.At(EventKind.Expire, _clock.Now(), Node) with { Run = claim.Id.ToString(), Attempt = claim.Attempt });
            }
        }
        Counters.LeaseExpiries += list.Count;
        return list;
    }

    private void StartRun(TaskView view, int attempt, string agentId, ulong lease, List<TaskEvent> before, int weight, HlcTimestamp? at = null)
    {
        var spec = view.Spec;
        var time = at ?? _clock.Now();
        var start = TaskEvent.At(EventKind.Start, time, Node) with { Attempt = attempt, Agent = agentId, LeaseUntil = lease, Weight = weight };
        var taken = new List<(string, ulong)>();
        var refused = false;
        var writeId = _core.Write(tx =>
        {
            // Units first: if one pool refuses, the ones taken go back and the start is not written.
            if (_pools is not null)
            {
                foreach (var (pool, units) in spec.Pools)
                {
                    if (!_pools.TryTake(tx, pool, units))
                    {
                        refused = true;
                        break;
                    }
                    taken.Add((pool, units));
                }
                if (refused)
                {
                    foreach (var (pool, units) in taken)
                    {
                        _pools.Give(tx, pool, units);
                    }
                    if (before.Count > 0)
                    {
                        Append(tx, view.Id, before);
                    }
                    return;
                }
            }
            Append(tx, view.Id, before.Append(start));
        });
        if (refused)
        {
            return;
        }
        var local = _localAgents[agentId];
        var run = new LocalRun
        {
            Id = start.Id,
            TaskId = view.Id,
            Attempt = attempt,
            Agent = agentId,
            Spec = spec,
            StartedAt = _now,
            AutoRenew = local.Kind == AgentKind.InProcess,
            Taken = taken,
            Lease = lease,
        };
        _runs[run.Id] = run;
        run.StartWriteId = writeId;
        _startWrites[writeId] = run;
    }
}
